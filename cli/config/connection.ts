// Which control plane to talk to and with which key: PALISADE_URL and PALISADE_API_KEY win (CI needs
// no login step and keeps no state), then what `login` stored.
import { CliError, EXIT } from '../exit-codes.ts';
import { configFilePath, readStoredLogin } from './config-file.ts';

interface Connection {
  url: string;
  apiKey: string;
}

export async function resolveConnection(env: Record<string, string | undefined>): Promise<Connection> {
  const stored = env.PALISADE_URL && env.PALISADE_API_KEY ? undefined : await readStoredLogin(configFilePath(env));
  const url = env.PALISADE_URL || stored?.url;
  const apiKey = env.PALISADE_API_KEY || stored?.apiKey;
  if (!url || !apiKey) {
    const missing = !url ? 'no control plane URL' : 'no API key';
    throw new CliError(EXIT.AUTH, `not logged in (${missing})`, 'run `palisade login --url URL`, or set PALISADE_URL and PALISADE_API_KEY');
  }
  return { url: url.replace(/\/+$/, ''), apiKey };
}
