// The palisade client: `palisade COMMAND ...` for people and pipelines, built on the public REST API
// only. runCli runs one command against the given streams and environment and returns the exit code;
// the package's bin (bin/palisade.ts) hands it every command the server does not own, and tests call
// it in-process.
import { createApiClient } from './api/client.ts';
import type { Command, CommandContext } from './command.ts';
import { agentsCommand } from './commands/agents.ts';
import { applyCommand } from './commands/apply.ts';
import { clustersCommand } from './commands/clusters.ts';
import { completionCommand } from './commands/completion.ts';
import { deleteCommand } from './commands/delete.ts';
import { diffCommand } from './commands/diff.ts';
import { explainCommand } from './commands/explain.ts';
import { flowsCommand } from './commands/flows.ts';
import { getCommand } from './commands/get.ts';
import { keysCommand } from './commands/keys.ts';
import { loginCommand } from './commands/login.ts';
import { resolveConnection } from './config/connection.ts';
import { CliError, EXIT, type ExitCode } from './exit-codes.ts';
import { type CliIo, colourEnabled } from './io.ts';
import { painter } from './output/colour.ts';

const COMMANDS: readonly Command[] = [
  loginCommand,
  clustersCommand,
  agentsCommand,
  applyCommand,
  diffCommand,
  getCommand,
  deleteCommand,
  explainCommand,
  flowsCommand,
  keysCommand,
  completionCommand,
];

function usage(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return `palisade: network policy for Kubernetes, from the command line or a pipeline.

Usage: palisade COMMAND [flags]       palisade COMMAND --help for its flags

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(width)}   ${command.summary}`).join('\n')}

Environment:
  PALISADE_URL, PALISADE_API_KEY   the control plane and key; override \`palisade login\`
  NO_COLOR                         no colour even on a terminal

Exit codes:
  0  success (diff: nothing would change)
  1  diff: something would change
  2  usage error: an unknown command or flag, a missing argument
  3  not logged in, key refused, or role too low
  4  not found (cluster, policy, key, pod)
  5  refused: invalid objects or a plan limit (the message names the field)
  6  any other failure: server unreachable or failing, unexpected answer, conflict
`;
}

function describe(error: unknown): CliError {
  if (error instanceof CliError) return error;
  return new CliError(EXIT.FAILURE, `unexpected error: ${(error as Error)?.message ?? String(error)}`, 'please report it with the command you ran');
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(usage());
    return name === undefined ? EXIT.USAGE : EXIT.OK;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  try {
    if (!command) throw new CliError(EXIT.USAGE, `unknown command ${name}`, 'see `palisade --help` for the commands');
    if (args.includes('--help') || args.includes('-h')) {
      io.stdout.write(`${command.help}\n`);
      return EXIT.OK;
    }
    const context: CommandContext = {
      io,
      args,
      commands: COMMANDS,
      paint: painter(colourEnabled(io)),
      connect: async () => createApiClient({ ...(await resolveConnection(io.env)), signal: io.signal }),
    };
    return await command.run(context);
  } catch (error) {
    const failure = describe(error);
    io.stderr.write(`error: ${failure.message}${failure.hint ? `; ${failure.hint}` : ''}\n`);
    return failure.exitCode;
  }
}

/** The CLI as this process: the package's bin (bin/palisade.ts) hands it every client command. */
export async function runCliProcess(argv: readonly string[]): Promise<void> {
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  process.exitCode = await runCli(argv, {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    isTTY: process.stdout.isTTY === true,
    signal: stop.signal,
  });
}
