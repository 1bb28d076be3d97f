// The console build the browser tests load: built once for the whole suite (ensureConsoleBuilt takes a
// lock and skips a build whose source hash matches), then served by the in-process control plane from
// console/dist, as `npm start` serves it.
import { fileURLToPath } from 'node:url';
import { ensureConsoleBuilt } from '../../../console/build/build-console.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export async function consoleBuilt(): Promise<void> {
  const result = await ensureConsoleBuilt(ROOT, (line) => process.stdout.write(`${line}\n`));
  if (!result.ok) throw new Error(`console build failed: [${result.code}] ${result.message}`);
}
