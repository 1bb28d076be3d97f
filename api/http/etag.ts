import { ApiError } from '../errors/api-error.ts';

/** Objects carry a version that grows on every change; the ETag is that version, strong. */
export const etagOf = (version: number) => `"v${version}"`;

/** PUT with If-Match: `*` or the current ETag proceeds, anything else is a lost update and gets 412. */
export function checkIfMatch(ifMatch: string | undefined, version: number): void {
  if (ifMatch === undefined) return;
  const candidates = ifMatch.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  if (candidates.includes('*') || candidates.includes(etagOf(version))) return;
  throw new ApiError('PRECONDITION_FAILED', `If-Match ${ifMatch} does not match the current ETag ${etagOf(version)}`);
}
