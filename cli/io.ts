// What a run of the CLI talks to: its output streams, environment and terminal. The bin passes the
// process's; tests pass buffers, so every command runs in-process exactly as from a shell.

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** The API key for `login` (piped, or typed at a prompt); manifests for `-f -`. */
  stdin?: AsyncIterable<string | Uint8Array>;
  env: Record<string, string | undefined>;
  /** Whether stdout is a terminal: tables, colour and progress only then. */
  isTTY: boolean;
  /** Ends long-running commands (`flows --follow`) cleanly: Ctrl-C in the bin, the test's own stop. */
  signal?: AbortSignal;
}

/** Colour only for a person at a terminal, and never when NO_COLOR is set (no-color.org). */
export function colourEnabled(io: CliIo): boolean {
  return io.isTTY && !io.env.NO_COLOR;
}

export const say = (io: CliIo, line: string) => io.stdout.write(`${line}\n`);

/** stdin as text: all of it, or up to the end of its first line (a prompt's answer). */
export async function readStdin(io: CliIo, firstLineOnly = false): Promise<string> {
  let text = '';
  for await (const chunk of io.stdin ?? []) {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (firstLineOnly && text.includes('\n')) break;
  }
  return firstLineOnly ? text.split('\n')[0]! : text;
}
