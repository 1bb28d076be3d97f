// The flow list and the live tail filter on the server by namespace, pod, verdict, deciding policy,
// port and protocol, combined; a malformed filter is a 422 naming the parameter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowLogEntry } from '../../../policy/flow-log.ts';
import { type ApiClient, createAgentToken } from '../../support/api-client.ts';
import type { TestControlPlane } from '../../support/control-plane.ts';
import { openEventStream } from '../../support/event-stream.ts';
import { startWithTenantCluster } from '../../support/tenant-with-cluster.ts';

const rule = (policyId: string, action: 'Allow' | 'Deny') => ({ tier: 'default', policyId, ruleIndex: 0, action });
const entry = (overrides: Partial<FlowLogEntry>): FlowLogEntry => ({
  startTime: new Date(Date.now() - 15_000).toISOString(),
  endTime: new Date().toISOString(),
  endpoint: 'shop/db',
  direction: 'ingress',
  remote: '198.18.0.7',
  protocol: 6,
  port: 5432,
  kind: 'allowed',
  rule: rule('NetworkPolicy/shop/db', 'Allow'),
  count: 1,
  bytes: 60,
  ...overrides,
});

const FLOWS: FlowLogEntry[] = [
  entry({}),
  entry({ endpoint: 'shop/web', port: 80, kind: 'denied', rule: rule('NetworkPolicy/shop/web', 'Deny') }),
  entry({ endpoint: 'shopping/db', port: 5432 }),
  entry({ endpoint: 'shop/dns', protocol: 17, port: 53, rule: rule('NetworkPolicy/shop/dns', 'Allow') }),
];

describe('flow filters', () => {
  let control: TestControlPlane;
  let api: ApiClient;
  let key: string;
  let clusterId: string;

  beforeAll(async () => {
    ({ control, api, key, clusterId } = await startWithTenantCluster('postgres'));
    const token = await createAgentToken(api, key, clusterId);
    expect((await api.post('/v1/agent/flows', { key: token, body: { nodeName: 'node-1', entries: FLOWS } })).status).toBe(204);
  });
  afterAll(() => control?.stop());

  const listed = async (query: string) => {
    const response = await api.get(`/v1/clusters/${clusterId}/flows?${query}`, { key });
    expect(response.status).toBe(200);
    return response.body.items.map((item: FlowLogEntry) => `${item.endpoint}:${item.protocol}/${item.port}`);
  };

  it('filters the list by namespace (not by prefix), pod, verdict, policy, port and protocol', async () => {
    expect(await listed('namespace=shop')).toEqual(['shop/db:6/5432', 'shop/web:6/80', 'shop/dns:17/53']);
    expect(await listed('namespace=shopping')).toEqual(['shopping/db:6/5432']);
    expect(await listed('endpoint=shop/web')).toEqual(['shop/web:6/80']);
    expect(await listed('kind=denied')).toEqual(['shop/web:6/80']);
    expect(await listed('policy=NetworkPolicy/shop/dns')).toEqual(['shop/dns:17/53']);
    expect(await listed('port=5432')).toEqual(['shop/db:6/5432', 'shopping/db:6/5432']);
    expect(await listed('protocol=17')).toEqual(['shop/dns:17/53']);
    expect(await listed('namespace=shop&port=5432&protocol=6&kind=allowed')).toEqual(['shop/db:6/5432']);
    expect(await listed('namespace=shop&protocol=17&port=80')).toEqual([]);
  });

  it('refuses malformed filters with the parameter named, and a 4xx', async () => {
    for (const [query, field] of [
      ['namespace=Shop%2F', 'namespace'],
      ['port=70000', 'port'],
      ['protocol=tcp', 'protocol'],
    ] as const) {
      const response = await api.get(`/v1/clusters/${clusterId}/flows?${query}`, { key });
      expect(response.status).toBe(422);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(JSON.stringify(response.body.errors)).toContain(field);
    }
  });

  it('applies the same filters to the live tail', async () => {
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const stream = await openEventStream(`${control.url}/v1/clusters/${clusterId}/flows/stream?namespace=shop&protocol=17&since=${since}`, {
      authorization: `Bearer ${key}`,
    });
    try {
      expect(stream.response.status).toBe(200);
      const first = await stream.next();
      // From the last hour, only shop's UDP flow matches: it comes first, before any other.
      expect(JSON.parse(first!.data)).toMatchObject({ endpoint: 'shop/dns', protocol: 17, port: 53 });
    } finally {
      stream.close();
    }
  });
});
