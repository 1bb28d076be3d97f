// The production build (`build/build.ts`) made into a test's own directory, and its outputs run with
// plain `node` as the images and the Lambda run them: started processes, their output, their lines.
import { type ChildProcess, spawn } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';

export interface Running {
  child: ChildProcess;
  output: () => string;
  /** The first match of `pattern` in stdout, waiting up to 60 s for it. */
  line: (pattern: RegExp) => Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
}

export function runProcess(command: string, args: string[], env: NodeJS.ProcessEnv, cwd = process.cwd()): Running {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return {
    child,
    output: () => output,
    exited,
    line: (pattern) =>
      new Promise((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error(`no output matching ${pattern} within 60 s; output:\n${output}`)), 60_000);
        const check = () => {
          const match = output.match(pattern);
          if (!match) return;
          clearTimeout(deadline);
          child.stdout!.off('data', check);
          resolve(match);
        };
        child.stdout!.on('data', check);
        check();
      }),
  };
}

/** The environment without the developer's own database, queue, keys, AWS or agent settings. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(DATABASE_.*|REDIS_URL|SIGNING_KEYS.*|PALISADE_.*|AWS_.*|MIGRATE_ON_START)$/.test(name)) env[name] = value;
  }
  return { ...env, ...extra };
}

/**
 * `npm run build` into `<work>/dist`, with the repository's node_modules beside it standing in for the
 * production install an image puts there. Throws with the build's output when it fails.
 */
export async function buildInto(work: string): Promise<string> {
  const dist = join(work, 'dist');
  const build = runProcess(process.execPath, ['--import', 'tsx', 'build/build.ts', '--out', dist], process.env);
  const code = await build.exited;
  if (code !== 0) throw new Error(`the build failed (exit ${code}):\n${build.output()}`);
  symlinkSync(join(process.cwd(), 'node_modules'), join(work, 'node_modules'), 'dir');
  return dist;
}
