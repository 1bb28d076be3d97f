// The API's Lambda function as one self-contained directory (the CDK app's code asset): bin/lambda.ts
// and every package it imports bundled by esbuild into index.mjs, plus the few files read from disk at
// run time. Lambda gets no node_modules, so nothing here may stay an import of a package, except the
// one whose files are read by path (swagger-ui-dist), shipped beside the bundle under node_modules/.
import { cpSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

/** Emitted as index.mjs, so the function's handler is `index.lambdaHandler` (the CDK app says so). */
const LAMBDA_ENTRY = 'bin/lambda.ts';
/** The thread large YAML bodies are parsed on (api/http/yaml-parse-pool.ts looks for it beside index.mjs). */
const YAML_WORKER_ENTRY = 'api/http/yaml-worker.ts';

/** api/routes/docs reads these from the installed swagger-ui-dist at start-up (the /docs page). */
const SWAGGER_UI_FILES = ['package.json', 'swagger-ui.css', 'swagger-ui-bundle.js'];

/** The oldest runtime the bundle must run on: these machines (Node 20) and the Lambda runtime's newer one. */
const TARGET = 'node20';

export type LambdaBundleResult = { ok: true; bytes: number } | { ok: false; code: 'BUNDLE_FAILED'; message: string };

export async function bundleLambda(root: string, outDir: string): Promise<LambdaBundleResult> {
  mkdirSync(outDir, { recursive: true });
  try {
    await build({
      absWorkingDir: root,
      entryPoints: { index: LAMBDA_ENTRY, 'yaml-worker': YAML_WORKER_ENTRY },
      outdir: outDir,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: TARGET,
      sourcemap: true,
      logLevel: 'silent',
      // pino-pretty is loaded only when logs go to a terminal (bin/logger.ts), which a Lambda never has.
      external: ['swagger-ui-dist', 'pino-pretty'],
      // Bundled CommonJS packages call require() for Node's built-ins; an ES module has no require of its own.
      banner: { js: "import { createRequire as palisadeCreateRequire } from 'node:module'; const require = palisadeCreateRequire(import.meta.url);" },
    });
  } catch (error) {
    return { ok: false, code: 'BUNDLE_FAILED', message: (error as Error).message };
  }
  const swaggerRoot = dirname(createRequire(join(root, 'package.json')).resolve('swagger-ui-dist/package.json'));
  for (const file of SWAGGER_UI_FILES) cpSync(join(swaggerRoot, file), join(outDir, 'node_modules', 'swagger-ui-dist', file));
  return { ok: true, bytes: statSync(join(outDir, 'index.mjs')).size };
}
