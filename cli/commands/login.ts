// `palisade login --url URL`: checks the API key against the control plane, then stores both in the
// config file. The key comes from stdin (--api-key-stdin, as `docker login --password-stdin`), from
// PALISADE_API_KEY, or from a prompt on a terminal; never from the command line, where `ps` shows it.
import { createApiClient } from '../api/client.ts';
import { getTenant } from '../api/tenant.ts';
import { type Command, type CommandContext, parseOptions } from '../command.ts';
import { configFilePath, storedLoginSchema, writeStoredLogin } from '../config/config-file.ts';
import { CliError, EXIT, usageError } from '../exit-codes.ts';
import { readStdin, say } from '../io.ts';
import { required } from '../options.ts';

const options = { url: { type: 'string' }, 'api-key-stdin': { type: 'boolean', default: false } } as const;

async function apiKeyFrom(context: CommandContext, fromStdin: boolean): Promise<string> {
  if (fromStdin) return (await readStdin(context.io)).trim();
  if (context.io.env.PALISADE_API_KEY) return context.io.env.PALISADE_API_KEY;
  if (!context.io.isTTY) throw usageError('no API key given: pipe it in with --api-key-stdin, or set PALISADE_API_KEY', 'login');
  context.io.stderr.write('API key: ');
  return (await readStdin(context.io, true)).trim();
}

export const loginCommand: Command = {
  name: 'login',
  summary: 'Store the control plane URL and an API key in ~/.config/palisade/config.json',
  help: `Usage: palisade login --url URL [--api-key-stdin]

Checks the API key against the control plane, then stores the URL and the key in
$XDG_CONFIG_HOME/palisade/config.json (~/.config/palisade/config.json), readable by you only.
The key is read from stdin with --api-key-stdin, else from PALISADE_API_KEY, else asked for.
PALISADE_URL and PALISADE_API_KEY override the stored values, so CI needs no login.

  echo "$KEY" | palisade login --url https://palisade.example.com --api-key-stdin`,
  options,
  async run(context) {
    const { values } = parseOptions(context, 'login', options);
    const url = required(values.url, '--url', 'login').replace(/\/+$/, '');
    if (!storedLoginSchema.shape.url.safeParse(url).success)
      throw usageError(`--url ${url} is not an http(s) URL (e.g. https://palisade.example.com)`, 'login');
    const apiKey = await apiKeyFrom(context, values['api-key-stdin']);
    if (!apiKey) throw new CliError(EXIT.AUTH, 'the API key is empty', 'pipe the key in with --api-key-stdin, or set PALISADE_API_KEY');
    const tenant = await getTenant(createApiClient({ url, apiKey, signal: context.io.signal }));
    const path = configFilePath(context.io.env);
    await writeStoredLogin(path, { url, apiKey });
    say(context.io, `Logged in to ${url} as tenant ${tenant.name} (plan ${tenant.plan}); saved in ${path}`);
    return EXIT.OK;
  },
};
