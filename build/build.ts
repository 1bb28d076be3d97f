// `npm run build`: the production output in dist/ that images and the Lambda run (never tsx).
//   dist/bin/palisade.js   the control plane and worker (`node dist/bin/palisade.js serve|worker|...`)
//   dist/agent/main.js     the node agent, one esbuild bundle (build/agent-bundle.ts; koffi comes from node_modules beside dist)
//   dist/migrations/       the SQL the control plane applies at start-up or in the migration task
//   dist/lambda/           the API's Lambda function, self-contained (handler index.lambdaHandler)
//   dist/console/dist/     the web console's static files, served at / by the compiled control plane
// Flags: `--out DIR` (default dist/ at the repository root; emptied first), `--only lambda` (just the
// function, for the CDK app's tests, which need a real bundle but not the rest).
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildConsole } from '../console/build/build-console.ts';
import { bundleAgent } from './agent-bundle.ts';
import { compile } from './compile.ts';
import { bundleLambda } from './lambda-bundle.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { out: { type: 'string' }, only: { type: 'string' } }, strict: true });
  if (values.only !== undefined && values.only !== 'lambda') {
    process.stderr.write(`build: --only takes "lambda", not "${values.only}"\n`);
    return 2;
  }
  const outDir = resolve(values.out ?? join(ROOT, 'dist'));
  rmSync(outDir, { recursive: true, force: true });
  const started = performance.now();
  if (values.only === undefined) {
    const compiled = compile(ROOT, outDir);
    if (!compiled.ok) {
      process.stderr.write(`build: ${compiled.code}\n${compiled.message}\n`);
      return 1;
    }
    const agent = await bundleAgent(ROOT, join(outDir, 'agent'));
    if (!agent.ok) {
      process.stderr.write(`build: ${agent.code}\n${agent.message}\n`);
      return 1;
    }
    const consoleBuild = await buildConsole(ROOT, (line) => process.stdout.write(`${line}\n`), join(outDir, 'console', 'dist'));
    if (!consoleBuild.ok) {
      process.stderr.write(`build: ${consoleBuild.code}\n${consoleBuild.message}\n`);
      return 1;
    }
  }
  const lambda = await bundleLambda(ROOT, join(outDir, 'lambda'));
  if (!lambda.ok) {
    process.stderr.write(`build: ${lambda.code}\n${lambda.message}\n`);
    return 1;
  }
  const seconds = ((performance.now() - started) / 1_000).toFixed(1);
  process.stdout.write(`built ${outDir} in ${seconds} s (Lambda bundle ${(lambda.bytes / 1_048_576).toFixed(1)} MiB)\n`);
  return 0;
}

main().then((code) => process.exit(code));
