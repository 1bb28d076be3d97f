// What a command is (a name, its help, its flags, a run function) and what it gets to run with. Each
// command lives in its own file under commands/; main.ts holds the table of them.
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { ApiClient } from './api/client.ts';
import { type ExitCode, usageError } from './exit-codes.ts';
import type { CliIo } from './io.ts';
import type { Paint } from './output/colour.ts';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

export interface CommandContext {
  io: CliIo;
  /** The arguments after the command's name. */
  args: readonly string[];
  /** The API client for the configured control plane; fails with exit code 3 when not logged in. */
  connect(): Promise<ApiClient>;
  paint: Paint;
  /** Every command, for `completion`. */
  commands: readonly Command[];
}

export interface Command {
  name: string;
  /** One line for `palisade --help`. */
  summary: string;
  /** The whole `palisade NAME --help` text. */
  help: string;
  /** Words that may follow the name (`clusters list`), for completion. */
  subcommands?: readonly string[];
  options: ParseArgsOptionsConfig;
  run(context: CommandContext): Promise<ExitCode>;
}

/** node:util's parser, strict: an unknown flag or a missing value is a usage error (exit 2). */
export function parseOptions<T extends ParseArgsOptionsConfig>(context: CommandContext, command: string, options: T) {
  try {
    return parseArgs({ args: [...context.args], options, allowPositionals: true, strict: true });
  } catch (error) {
    // node:util's messages go on to explain `--` for positionals; the first sentence is the news.
    throw usageError((error as Error).message.split(/\.\s/)[0]!, command);
  }
}
