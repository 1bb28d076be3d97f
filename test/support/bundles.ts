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
