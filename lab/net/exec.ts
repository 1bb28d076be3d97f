// Runs `ip` (and the odd helper) as child processes. Batching with `ip -batch -` matters: a lab of
// 9 pods needs ~60 netlink operations, and one process per operation would cost more than the work.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { err, ok, type Result } from '../errors.ts';

/** Whether `command` is on PATH (the lab's tests and the bench check for iperf3 and iptables). */
export function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir !== '' && existsSync(join(dir, command)));
}

export interface RunOutput {
  stdout: string;
  stderr: string;
}

/** execFile with optional stdin; a non-zero exit becomes a `command_failed` LabError. */
export function run(cmd: string, args: readonly string[], input?: string): Promise<Result<RunOutput>> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024 }, (e, stdout, stderr) => {
      if (e) {
        const code = (e as NodeJS.ErrnoException & { code?: unknown }).code;
        resolve(
          err('command_failed', `${cmd} ${args.join(' ')} failed (${String(code)}): ${stderr.trim() || e.message}`, {
            cmd,
            args,
            exitCode: code,
            stdout,
            stderr,
            ...(input === undefined ? {} : { input }),
          }),
        );
      } else {
        resolve(ok({ stdout, stderr }));
      }
    });
    // stdin errors (EPIPE when ip exits early) surface through the exit status instead
    child.stdin?.on('error', () => {});
    child.stdin?.end(input ?? '');
  });
}

const nsArgs = (netns: string | undefined): string[] => (netns === undefined ? [] : ['-n', netns]);

/** `ip [-n netns] args...` */
export function ip(args: readonly string[], netns?: string): Promise<Result<RunOutput>> {
  return run('ip', [...nsArgs(netns), ...args]);
}

/** `ip [-n netns] -json args...`, parsed. */
export async function ipJson<T>(args: readonly string[], netns?: string): Promise<Result<T>> {
  const r = await run('ip', [...nsArgs(netns), '-json', ...args]);
  if (!r.ok) return r;
  try {
    return ok(JSON.parse(r.value.stdout || '[]') as T);
  } catch (e) {
    return err('command_failed', `ip ${args.join(' ')}: unparseable JSON: ${(e as Error).message}`);
  }
}

/**
 * Many `ip` commands in one process. Without `force`, ip stops at the first failing line (the
 * error names the line); `force` carries on, which is what teardown wants.
 */
export function ipBatch(lines: readonly string[], opts: { netns?: string; force?: boolean } = {}): Promise<Result<RunOutput>> {
  if (lines.length === 0) return Promise.resolve(ok({ stdout: '', stderr: '' }));
  return run('ip', [...nsArgs(opts.netns), ...(opts.force ? ['-force'] : []), '-batch', '-'], `${lines.join('\n')}\n`);
}

/** Synchronous variant for process-exit handlers, where no promise will ever settle. */
export function ipBatchSync(lines: readonly string[]): void {
  if (lines.length === 0) return;
  spawnSync('ip', ['-force', '-batch', '-'], { input: `${lines.join('\n')}\n`, stdio: ['pipe', 'ignore', 'ignore'] });
}
