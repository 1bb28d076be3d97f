// The bundle endpoint's HTTP contract, shared by both ends of the wire (the API serves it, the agent
// long-polls it): one definition of the path, the media type and the revision ETag, so the two can
// never drift apart. OPA's bundle service is the anchor: the ETag names what the agent holds.

export const BUNDLE_PATH = '/v1/agent/bundle';
export const BUNDLE_CONTENT_TYPE = 'application/jose';

/** A bundle's ETag is its revision, strong: `"r42"`. */
export const revisionEtag = (revision: number) => `"r${revision}"`;

/**
 * The revision an ETag (or If-None-Match) names, or undefined. Unauthenticated: the agent uses it
 * only for logs and reports; the API only to decide whether to wait.
 */
export function revisionOfEtag(etag: string | null | undefined): number | undefined {
  const match = /"r(\d+)"/.exec(etag ?? '');
  return match ? Number(match[1]) : undefined;
}
