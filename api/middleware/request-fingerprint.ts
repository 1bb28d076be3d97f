// What makes two requests "the same request" for an Idempotency-Key: method, path, query (its
// parameters in sorted order) and body. Each part is kept as its own hash, so a reused key can be
// refused naming the part that differs, and a stored fingerprint holds no request data.
import { createHash } from 'node:crypto';

const FINGERPRINT_PARTS = ['method', 'path', 'query', 'body'] as const;
export type FingerprintPart = (typeof FINGERPRINT_PARTS)[number];

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

interface RequestParts {
  method: string;
  path: string;
  searchParams: URLSearchParams;
  body: string;
}

/** The method as is, then one hash per part, space-separated (the column is text). */
export function requestFingerprint(request: RequestParts): string {
  const query = new URLSearchParams(request.searchParams);
  query.sort();
  return [request.method, sha256(request.path), sha256(query.toString()), sha256(request.body)].join(' ');
}

/** The parts in which two fingerprints differ; empty when they are the same request. */
export function fingerprintDifferences(stored: string, current: string): FingerprintPart[] {
  const storedParts = stored.split(' ');
  const currentParts = current.split(' ');
  return FINGERPRINT_PARTS.filter((_, index) => storedParts[index] !== currentParts[index]);
}
