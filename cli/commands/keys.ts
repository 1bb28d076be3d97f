// `palisade keys create|list|revoke`: the tenant's API keys. A new key's secret is printed once.
import { createApiKey, listApiKeys, revokeApiKey } from '../api/api-keys.ts';
import { type Command, parseOptions } from '../command.ts';
import { CliError, EXIT, usageError } from '../exit-codes.ts';
import { outputOption, positionals } from '../options.ts';
import { outputFormat, toJson, toYaml } from '../output/formats.ts';
import { age, renderTable } from '../output/table.ts';

const options = { ...outputOption, role: { type: 'string', default: 'editor' } } as const;

export const keysCommand: Command = {
  name: 'keys',
  summary: 'Create, list or revoke API keys',
  subcommands: ['create', 'list', 'revoke'],
  help: `Usage:
  palisade keys create NAME [--role viewer|editor|admin|owner] [-o json]
  palisade keys list [-o table|json|yaml]
  palisade keys revoke ID|NAME

A new key's secret is printed once; store it (e.g. as a CI secret, PALISADE_API_KEY).
A key's role is at most your own; creating and revoking keys needs admin.`,
  options,
  async run(context) {
    const { values, positionals: words } = parseOptions(context, 'keys', options);
    const [action, ...rest] = words;
    if (action !== 'create' && action !== 'list' && action !== 'revoke') {
      throw usageError(action ? `unknown action ${action}: keys create|list|revoke` : 'keys needs an action: create, list or revoke', 'keys');
    }
    const [argument] = positionals(rest, action === 'list' ? [] : [action === 'create' ? 'NAME' : 'ID|NAME'], 'keys');
    const format = outputFormat(values.output, action === 'list' ? ['table', 'json', 'yaml'] : ['table', 'json'], 'keys');
    const client = await context.connect();
    if (action === 'create') {
      const key = await createApiKey(client, { name: argument!, role: values.role });
      if (format === 'json') context.io.stdout.write(toJson(key));
      else context.io.stdout.write(`API key ${key.name} (${key.role}) created; its secret, shown only now:\n${key.key}\n`);
    } else if (action === 'list') {
      const keys = await listApiKeys(client);
      if (format !== 'table') context.io.stdout.write((format === 'json' ? toJson : toYaml)({ items: keys }));
      else {
        const rows = keys.map((key) => [key.id, key.name, key.role, key.prefix, age(key.createdAt), key.lastUsedAt ? `${age(key.lastUsedAt)} ago` : 'never']);
        context.io.stdout.write(renderTable(['id', 'name', 'role', 'prefix', 'age', 'last used'], rows));
      }
    } else {
      const matches = (await listApiKeys(client)).filter((key) => key.id === argument || key.name === argument);
      if (matches.length === 0) throw new CliError(EXIT.NOT_FOUND, `no live API key ${argument}`, 'list them with `palisade keys list`');
      if (matches.length > 1) throw new CliError(EXIT.USAGE, `${matches.length} keys are named ${argument}`, 'revoke by id (`palisade keys list` shows them)');
      await revokeApiKey(client, matches[0]!.id);
      context.io.stdout.write(`API key ${matches[0]!.name} revoked\n`);
    }
    return EXIT.OK;
  },
};
