// What fault tests check after the fault: which policies a bundle carries against which are stored,
// and a write's answer being one a client can act on (never a 500).
import type { ApiClient, ApiResponse } from './api-client.ts';

/** The policy names a compact JWS bundle carries, read from its payload (the signature is checked elsewhere). */
export function policyNamesInBundle(jws: string): string[] {
  const payload = JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8')) as {
    policy: { tiers: { policies: { name: string }[] }[] };
  };
  return payload.policy.tiers.flatMap((tier) => tier.policies.map((policy) => policy.name)).sort();
}

/** Every policy name stored for the cluster, through the API's paginated list. */
export async function storedPolicyNames(api: ApiClient, key: string, clusterId: string): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | null = null;
  do {
    const page: ApiResponse = await api.get(`/v1/clusters/${clusterId}/policies?limit=200${cursor ? `&cursor=${cursor}` : ''}`, { key });
    if (page.status !== 200) throw new Error(`policy list failed: ${page.status} ${page.text}`);
    for (const item of page.body.items) names.push(item.manifest.metadata.name);
    cursor = page.body.nextCursor;
  } while (cursor);
  return names.sort();
}

/** Polls the cluster's current bundle until it carries exactly `expected`; returns the last names seen. */
export async function waitForBundleNames(api: ApiClient, token: string, expected: readonly string[], timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    const response = await api.get('/v1/agent/bundle', { key: token });
    if (response.status === 200) {
      seen = policyNamesInBundle(response.text);
      if (seen.join('\n') === [...expected].sort().join('\n')) return seen;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return seen;
}

/** A write's answer a client can act on: success, its own mistake, or "unavailable, retry later". */
export function isCleanAnswer(status: number): boolean {
  return (status >= 200 && status < 300) || (status >= 400 && status < 500) || status === 503;
}
