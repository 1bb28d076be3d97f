// ETags of stored objects (clusters, policies): the object's version, which grows on every change.
// Not the bundle ETag, which names a revision (policy/bundle/http.ts revisionEtag).
import { ApiError } from '../errors/api-error.ts';

/** Strong: `"v3"`. */
export const versionEtag = (version: number) => `"v${version}"`;

/** PUT with If-Match: `*` or the current ETag proceeds, anything else is a lost update and gets 412. */
export function checkIfMatch(ifMatch: string | undefined, version: number): void {
  if (ifMatch === undefined) return;
  const candidates = ifMatch.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  if (candidates.includes('*') || candidates.includes(versionEtag(version))) return;
  throw new ApiError('PRECONDITION_FAILED', `If-Match ${ifMatch} does not match the current ETag ${versionEtag(version)}`);
}
