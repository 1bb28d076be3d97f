// ~/.config/palisade/config.json: where `login` keeps the control plane's URL and the API key. The
// key is a secret, so the file is written 0600 in a 0700 directory, and rewritten whole each time.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { CliError, EXIT } from '../exit-codes.ts';

export const storedLoginSchema = z.object({ url: z.url({ protocol: /^https?$/ }), apiKey: z.string().min(1) });
type StoredLogin = z.infer<typeof storedLoginSchema>;

/** XDG's rule: $XDG_CONFIG_HOME when set, else ~/.config. */
export function configFilePath(env: Record<string, string | undefined>): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'palisade', 'config.json');
}

export async function readStoredLogin(path: string): Promise<StoredLogin | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(EXIT.FAILURE, `cannot read ${path}: ${(error as Error).message}`, 'check its permissions, or run `palisade login` again');
  }
  const parsed = storedLoginSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CliError(EXIT.AUTH, `${path}: ${issue.path.join('.') || '(file)'}: ${issue.message}`, 'run `palisade login --url URL` to rewrite it');
  }
  return parsed.data;
}

export async function writeStoredLogin(path: string, login: StoredLogin): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  // writeFile's mode applies only when it creates the file: an older, wider file is narrowed here.
  await chmod(path, 0o600);
}
