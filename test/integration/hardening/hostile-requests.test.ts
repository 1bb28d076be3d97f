// The requests of issue 10 that answered 500, and their kin: text Postgres cannot store, numbers and
// dates past their columns, nesting past the bound, YAML aliases that expand or resolve to nothing,
// and bodies that amplify into millions of peers. Each gets a 4xx problem naming the field (or the
// place in the YAML) and changes nothing, on both databases.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amplifyingYaml } from '../../../bench/control-plane/amplification.ts';
import { rowsOf } from '../../../db/index.ts';
import { type ApiClient, createAgentToken, networkPolicy } from '../../support/api-client.ts';
import type { TestControlPlane } from '../../support/control-plane.ts';
import { startWithTenantCluster } from '../../support/tenant-with-cluster.ts';

const NUL = 'a\u0000b';
const LONE = 'a\uD800b';

interface HostileRequest {
  name: string;
  status: number;
  /** The field errors[].path must name, when the answer is a 422. */
  path?: string;
  method?: string;
  url: (ids: { clusterId: string }) => string;
  credential?: 'key' | 'agent' | 'none';
  body?: unknown;
  raw?: string;
  contentType?: string;
}

const flow = {
  startTime: '2026-11-26T12:00:00.000Z',
  endTime: '2026-11-26T12:00:15.000Z',
  endpoint: 'shop/web',
  direction: 'ingress',
  remote: '198.18.0.1',
  protocol: 6,
  port: 80,
  kind: 'allowed',
  rule: null,
  count: 1,
  bytes: 60,
};
const flows = (entry: Record<string, unknown>) => ({ nodeName: 'node-a', entries: [{ ...flow, ...entry }] });
const status = (fields: Record<string, unknown>) => ({ nodeName: 'node-a', appliedRevision: 1, ...fields });
const inventory = (labels: Record<string, string>) => ({
  namespaces: [{ name: 'shop' }],
  endpoints: [{ namespace: 'shop', name: 'web', labels, ipv4: ['198.18.0.10'] }],
});
const policies = ({ clusterId }: { clusterId: string }) => `/v1/clusters/${clusterId}/policies`;
const apply = ({ clusterId }: { clusterId: string }) => `/v1/apply?cluster=${clusterId}`;
const yamlAliases = (n: number) => `apiVersion: v1\nkind: List\nitems: &a []\nextra: [${Array(n).fill('*a').join(', ')}]\n`;

const CASES: HostileRequest[] = [
  {
    name: 'NUL in a tenant name',
    status: 422,
    path: 'tenantName',
    url: () => '/v1/signup',
    credential: 'none',
    body: { tenantName: NUL, email: 'a@example.com' },
  },
  {
    name: 'a lone surrogate in a tenant name',
    status: 422,
    path: 'tenantName',
    url: () => '/v1/signup',
    credential: 'none',
    body: { tenantName: LONE, email: 'a@example.com' },
  },
  {
    name: 'a plan chosen at sign-up',
    status: 422,
    path: 'plan',
    url: () => '/v1/signup',
    credential: 'none',
    body: { tenantName: 'x', email: 'a@example.com', plan: 'enterprise' },
  },
  { name: 'NUL in an API key name', status: 422, path: 'name', url: () => '/v1/api-keys', body: { name: NUL, role: 'viewer' } },
  {
    name: 'a lone surrogate in an agent token name',
    status: 422,
    path: 'name',
    url: ({ clusterId }) => `/v1/clusters/${clusterId}/agent-tokens`,
    body: { name: LONE },
  },
  { name: 'NUL in ?name=', status: 422, path: 'query.name', method: 'GET', url: ({ clusterId }) => `/v1/clusters/${clusterId}/policies?name=%00` },
  {
    name: 'NUL in ?endpoint=',
    status: 422,
    path: 'query.endpoint',
    method: 'GET',
    url: ({ clusterId }) => `/v1/clusters/${clusterId}/flows?endpoint=shop%2F%00`,
  },
  {
    name: 'year 0 in ?since=',
    status: 422,
    path: 'query.since',
    method: 'GET',
    url: ({ clusterId }) => `/v1/clusters/${clusterId}/flows?since=0000-01-01T00:00:00Z`,
  },
  {
    name: 'NUL in an annotation',
    status: 422,
    path: 'metadata.annotations.note',
    url: policies,
    body: { ...networkPolicy('annotated', 'shop'), metadata: { name: 'annotated', namespace: 'shop', annotations: { note: NUL } } },
  },
  {
    name: 'NUL in an agent error message',
    status: 422,
    path: 'errors.0.message',
    url: () => '/v1/agent/status',
    credential: 'agent',
    body: status({ errors: [{ code: 'x', message: NUL }] }),
  },
  {
    name: 'a lone surrogate in the agent version',
    status: 422,
    path: 'agentVersion',
    url: () => '/v1/agent/status',
    credential: 'agent',
    body: status({ agentVersion: LONE }),
  },
  {
    name: 'NUL in a program statistics key',
    status: 422,
    path: `programs.shop/web.${NUL}`,
    url: () => '/v1/agent/status',
    credential: 'agent',
    body: status({ programs: { 'shop/web': { [NUL]: 1 } } }),
  },
  {
    name: '10,000 nested arrays in programs',
    status: 422,
    path: `programs.deep${'.0'.repeat(63)}`,
    url: () => '/v1/agent/status',
    credential: 'agent',
    raw: `{"nodeName":"node-a","appliedRevision":1,"programs":{"deep":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`,
  },
  {
    name: 'a flow count past int4',
    status: 422,
    path: 'entries.0.count',
    url: () => '/v1/agent/flows',
    credential: 'agent',
    body: flows({ count: 3_000_000_000 }),
  },
  {
    name: 'a flow starting in year 0',
    status: 422,
    path: 'entries.0.startTime',
    url: () => '/v1/agent/flows',
    credential: 'agent',
    body: flows({ startTime: '0000-01-01T00:00:00Z' }),
  },
  { name: 'NUL in a flow remote', status: 422, path: 'entries.0.remote', url: () => '/v1/agent/flows', credential: 'agent', body: flows({ remote: NUL }) },
  {
    name: 'a lone surrogate in a flow rule tier',
    status: 422,
    path: 'entries.0.rule.tier',
    url: () => '/v1/agent/flows',
    credential: 'agent',
    body: flows({ rule: { tier: LONE, policyId: 'p', ruleIndex: 0, action: 'Allow' } }),
  },
  {
    name: 'NUL in an inventory label',
    status: 422,
    path: 'endpoints.0.labels.app',
    method: 'PUT',
    url: () => '/v1/agent/inventory?nodeName=node-a',
    credential: 'agent',
    body: inventory({ app: NUL }),
  },
  { name: 'an API key body padded past its 16 KiB limit', status: 413, url: () => '/v1/api-keys', raw: `{"name":"k","role":"viewer"${' '.repeat(20_000)}}` },
  {
    name: 'a sign-up body padded past its 16 KiB limit',
    status: 413,
    url: () => '/v1/signup',
    credential: 'none',
    raw: `{"tenantName":"t","email":"a@example.com"${' '.repeat(20_000)}}`,
  },
  {
    name: 'an agent token body padded past its 16 KiB limit',
    status: 413,
    url: ({ clusterId }) => `/v1/clusters/${clusterId}/agent-tokens`,
    raw: `{"name":"t"${' '.repeat(20_000)}}`,
  },
  { name: '4,000 nested arrays in an apply body', status: 422, url: apply, raw: `${'['.repeat(4_000)}${']'.repeat(4_000)}` },
  { name: 'an undefined YAML alias', status: 400, url: apply, raw: 'a: *nope\n', contentType: 'application/yaml' },
  { name: '101 aliases of one anchor', status: 400, url: apply, raw: yamlAliases(101), contentType: 'application/yaml' },
  {
    name: '150 merge keys',
    status: 400,
    url: policies,
    raw: `a: &a {x: 1}\n${Array.from({ length: 150 }, (_, i) => `b${i}: {<<: *a}`).join('\n')}\n`,
    contentType: 'application/yaml',
  },
  {
    name: 'an amplifying YAML body (10,000 peers aliased by 99 rules)',
    status: 413,
    url: policies,
    raw: amplifyingYaml(10_000, 99),
    contentType: 'application/yaml',
  },
  {
    name: 'a rule whose peers times ports exceed rulesPerEndpoint',
    status: 422,
    path: 'spec.ingress',
    url: policies,
    body: networkPolicy('wide', 'shop', {
      podSelector: {},
      ingress: [{ from: Array.from({ length: 501 }, (_, i) => ({ ipBlock: { cidr: `10.0.${i >> 8}.${i & 255}/32` } })), ports: [{ port: 80 }, { port: 443 }] }],
    }),
  },
];

describe.each(['pglite', 'postgres'] as const)('hostile requests on %s', (flavour) => {
  let control: TestControlPlane;
  let api: ApiClient;
  let key: string;
  let agent: string;
  let clusterId: string;

  async function rowCounts() {
    const [row] = rowsOf<Record<string, number>>(
      await control.plane.database.db.execute(sql`select
        (select count(*)::int from tenants) as tenants, (select count(*)::int from policies) as policies,
        (select count(*)::int from api_keys) as keys, (select count(*)::int from agent_tokens) as tokens,
        (select count(*)::int from agent_status) as statuses, (select count(*)::int from flow_logs) as flows,
        (select count(*)::int from cluster_inventories) as inventories, (select count(*)::int from audit_log) as audit`),
    );
    return row;
  }

  beforeAll(async () => {
    ({ control, api, key, clusterId } = await startWithTenantCluster(flavour));
    agent = await createAgentToken(api, key, clusterId);
  });
  afterAll(() => control?.stop());

  for (const hostile of CASES) {
    it(`answers ${hostile.status} to ${hostile.name}${hostile.path ? `, naming ${JSON.stringify(hostile.path)}` : ''}, and stores nothing`, async () => {
      const before = await rowCounts();
      const credential = hostile.credential ?? 'key';
      const response = await api.call(hostile.method ?? 'POST', hostile.url({ clusterId }), {
        key: credential === 'key' ? key : credential === 'agent' ? agent : undefined,
        body: hostile.body,
        raw: hostile.raw,
        contentType: hostile.contentType,
      });
      expect({ status: response.status, contentType: response.headers.get('content-type') }).toEqual({
        status: hostile.status,
        contentType: 'application/problem+json',
      });
      if (hostile.path !== undefined) expect(response.body.errors.map((error: { path: string }) => error.path)).toContain(hostile.path);
      expect(await rowCounts()).toEqual(before);
    });
  }
});
