// The bearer token for each request. A projected service-account token rotates (the kubelet
// rewrites the file well before it expires), so a token from a file is read again once it is older
// than `maxAgeMs`, as client-go does (about every minute); reading it for every request would cost a
// file read per watch reconnect for nothing. A failed re-read keeps the token it had: the file is
// replaced by a rename, and an old token still works until it expires.
import { readFileSync } from 'node:fs';
import type { KubeToken } from './kubeconfig.ts';

export type TokenReader = () => string | undefined;

export function tokenReader(token: KubeToken | undefined, options: { maxAgeMs?: number; now?: () => number } = {}): TokenReader {
  if (token === undefined) return () => undefined;
  if ('inline' in token) return () => token.inline;
  const maxAgeMs = options.maxAgeMs ?? 60_000;
  const now = options.now ?? Date.now;
  let cached: string | undefined;
  let readAt = Number.NEGATIVE_INFINITY;
  return () => {
    if (cached === undefined || now() - readAt >= maxAgeMs) {
      try {
        cached = readFileSync(token.file, 'utf8').trim();
        readAt = now();
      } catch (error) {
        if (cached === undefined) throw error;
      }
    }
    return cached;
  };
}
