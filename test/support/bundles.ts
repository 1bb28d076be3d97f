import type { ApiClient } from './api-client.ts';

/** Long-polls as an agent until the cluster's bundle reaches `revision`. */
export async function waitForRevision(api: ApiClient, token: string, revision: number, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  let known = revision - 1;
  while (Date.now() < deadline) {
    const response = await api.get('/v1/agent/bundle?wait=2', { key: token, headers: { 'if-none-match': `"r${known}"` } });
    if (response.status === 200) {
      const got = Number(response.headers.get('x-palisade-revision'));
      if (got >= revision) return { revision: got, jws: response.text, etag: response.headers.get('etag') };
      known = got;
    } else if (response.status !== 304) {
      throw new Error(`bundle fetch failed: ${response.status} ${response.text}`);
    }
  }
  throw new Error(`revision ${revision} did not arrive within ${timeoutMs} ms`);
}

/**
 * Long-polls as an agent until the cluster's bundle carries the policy named `name`. Not "revision
 * 2": the cluster's first build may already carry a policy written right after the cluster (it reads
 * the state when it starts), and then no later revision comes.
 */
export async function revisionCarrying(api: ApiClient, token: string, name: string, timeoutMs = 30_000) {
  for (let revision = 1; ; revision++) {
    const bundle = await waitForRevision(api, token, revision, timeoutMs);
    const payload = Buffer.from(bundle.jws.split('.')[1] ?? '', 'base64url').toString('utf8');
    if (payload.includes(name)) return bundle;
    revision = bundle.revision;
  }
}
