// The bench's tenants, made through the public API as a user would: sign up, a cluster, an agent
// token, and policies written with POST /v1/apply.
import { randomBytes } from 'node:crypto';

export interface BenchTenant {
  key: string;
  clusterId: string;
}

const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

export async function call(url: string, method: string, path: string, key: string | undefined, body?: unknown, contentType = 'application/json') {
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = contentType;
  const response = await fetch(`${url}${path}`, { method, headers, body: typeof body === 'string' || body === undefined ? body : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, text, headers: response.headers };
}

async function expectStatus<T>(answer: Promise<{ status: number; text: string }>, status: number, what: string): Promise<T> {
  const { status: got, text } = await answer;
  if (got !== status) throw new Error(`${what}: ${got} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

export async function newTenant(url: string): Promise<BenchTenant> {
  const signedUp = await expectStatus<{ apiKey: { key: string } }>(
    call(url, 'POST', '/v1/signup', undefined, { tenantName: unique('bench'), email: `${unique('owner')}@example.com` }),
    201,
    'sign-up',
  );
  const key = signedUp.apiKey.key;
  const cluster = await expectStatus<{ id: string }>(call(url, 'POST', '/v1/clusters', key, { name: unique('cluster'), provider: 'kind' }), 201, 'cluster');
  return { key, clusterId: cluster.id };
}

export async function newAgentToken(url: string, tenant: BenchTenant): Promise<string> {
  const created = await expectStatus<{ token: string }>(
    call(url, 'POST', `/v1/clusters/${tenant.clusterId}/agent-tokens`, tenant.key, { name: 'bench' }),
    201,
    'agent token',
  );
  return created.token;
}

/** A NetworkPolicy of `rules` ingress rules, each one /32 peer on one port: about 80 bytes a rule. */
export function networkPolicy(name: string, rules: number, port = 80) {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: 'bench' },
    spec: {
      podSelector: { matchLabels: { app: 'bench' } },
      ingress: Array.from({ length: rules }, (_, index) => ({
        from: [{ ipBlock: { cidr: `10.${(index >> 8) & 255}.${index & 255}.${port % 250}/32` } }],
        ports: [{ protocol: 'TCP', port: 1000 + index }],
      })),
    },
  };
}

/**
 * A one-rule NetworkPolicy as http-load.c sends it: its rule's port is the generator's counter (a run
 * of '@' it rewrites before each send, 1 to 9999), so every apply of it from one connection is a change.
 */
export function countedNetworkPolicyBody(name: string): string {
  const counter = '@@@@';
  // Written as a string first, then unquoted: the port is a number, whichever count fills it in.
  return JSON.stringify(networkPolicy(name, 1), (key, value) => (key === 'port' ? counter : value)).replace(`"${counter}"`, counter);
}

/** POST /v1/apply of these objects; resolves to the answer's status. */
export async function apply(url: string, tenant: BenchTenant, objects: readonly unknown[]): Promise<number> {
  const stream = objects.map((object) => JSON.stringify(object)).join('\n---\n');
  return (await call(url, 'POST', `/v1/apply?cluster=${tenant.clusterId}`, tenant.key, stream, 'application/yaml')).status;
}
