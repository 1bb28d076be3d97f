// The agent token, sent as `Authorization: Bearer <token>`. From a file it is read again for every
// request: a mounted Secret changes in place when the operator rotates the token, and a restart
// should not be needed to pick that up.
import { readFile } from 'node:fs/promises';
import type { AgentConfig } from './config.ts';

export type TokenProvider = () => Promise<string>;

export function tokenProvider(config: Pick<AgentConfig, 'token' | 'tokenFile'>): TokenProvider {
  if (config.token !== undefined) {
    const token = config.token;
    return async () => token;
  }
  const file = config.tokenFile!;
  return async () => (await readFile(file, 'utf8')).trim();
}
