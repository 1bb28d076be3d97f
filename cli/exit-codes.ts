// The CLI's exit codes and its one error type. Pipelines branch on the code, people read the message:
// one line saying what went wrong (naming the field when there is one) and what to do next.

/**
 * Documented in `palisade --help` and the README. kubectl diff's contract (0 nothing would change,
 * 1 something would, above 1 an error) holds for every command: every error is above 1.
 */
export const EXIT = {
  OK: 0,
  /** `diff` found changes. */
  CHANGES: 1,
  USAGE: 2,
  /** No credentials, a refused key, or a role too low for the request. */
  AUTH: 3,
  NOT_FOUND: 4,
  /** The objects were refused: by the server (422, 400) or already while reading the files. */
  REFUSED: 5,
  /** Anything else: the server unreachable or failing, an unexpected answer, a conflict. */
  FAILURE: 6,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    /** The next step, said as an instruction. */
    readonly hint?: string,
  ) {
    super(message);
  }
}

export const usageError = (message: string, command?: string) => new CliError(EXIT.USAGE, message, `see \`palisade ${command ? `${command} ` : ''}--help\``);
