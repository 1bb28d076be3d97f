// `npm run console:build`: builds the console into console/dist (or --out DIR) and prints the gzipped
// size of every chunk; exits 1 when the build fails or the first load is over budget.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildConsole } from './build-console.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const { values } = parseArgs({ options: { out: { type: 'string' } }, strict: true });
const result = await buildConsole(ROOT, (line) => process.stdout.write(`${line}\n`), values.out === undefined ? undefined : resolve(values.out));
if (!result.ok) {
  process.stderr.write(`console build: [${result.code}] ${result.message}\n`);
  process.exit(1);
}
