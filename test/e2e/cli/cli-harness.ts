// Runs the palisade CLI in-process as a shell would run it: its own HOME (so `login` writes a config
// file no other test sees), an environment without the machine's PALISADE_* variables, no terminal
// unless asked, and stdout and stderr captured. `start` leaves a command running (flows --follow)
// and stops it as Ctrl-C would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { runCli } from '../../../cli/main.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string>;
  stdin?: string;
  isTTY?: boolean;
}

export interface RunningCli {
  stdout(): string;
  /** Ctrl-C, then the command's result. */
  stop(): Promise<CliResult>;
}

export function cliHarness() {
  const home = mkdtempSync(join(tmpdir(), 'palisade-cli-home-'));

  function start(args: readonly string[], options: CliOptions = {}) {
    let stdout = '';
    let stderr = '';
    const interrupt = new AbortController();
    const done = runCli(args, {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      stdin: options.stdin === undefined ? undefined : Readable.from([options.stdin]),
      env: { HOME: home, ...options.env },
      isTTY: options.isTTY ?? false,
      signal: interrupt.signal,
    }).then((code) => ({ code, stdout, stderr }));
    return { done, stdout: () => stdout, interrupt };
  }

  return {
    home,
    configFile: join(home, '.config', 'palisade', 'config.json'),
    run: (args: readonly string[], options?: CliOptions): Promise<CliResult> => start(args, options).done,
    start(args: readonly string[], options?: CliOptions): RunningCli {
      const running = start(args, options);
      return {
        stdout: running.stdout,
        stop: () => {
          running.interrupt.abort();
          return running.done;
        },
      };
    },
    remove: () => rmSync(home, { recursive: true, force: true }),
  };
}
export type CliHarness = ReturnType<typeof cliHarness>;
