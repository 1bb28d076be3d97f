// Flow logs shipped by an agent are stored per cluster and queryable by outcome, endpoint and the
// pending verdict of staged policies; another tenant never sees them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowLogEntry } from '../../../policy/flow-log.ts';
import { type ApiClient, createAgentToken, signUp } from '../../support/api-client.ts';
import type { TestControlPlane } from '../../support/control-plane.ts';
import { startWithTenantCluster } from '../../support/tenant-with-cluster.ts';

const denyDefault = { tier: 'default', policyId: 'NetworkPolicy/shop/db', ruleIndex: 'default' as const, action: 'Deny' as const };
const entry = (overrides: Partial<FlowLogEntry>): FlowLogEntry => ({
  startTime: '2026-11-26T12:00:00.000Z',
  endTime: '2026-11-26T12:00:15.000Z',
  endpoint: 'shop/db',
  direction: 'ingress',
  remote: '198.18.0.7',
  protocol: 6,
  port: 5432,
  kind: 'denied',
  rule: denyDefault,
  count: 3,
  bytes: 180,
  ...overrides,
});

describe('flow logs', () => {
  let control: TestControlPlane;
  let api: ApiClient;
  let key: string;
  let clusterId: string;
  let token: string;

  beforeAll(async () => {
    ({ control, api, key, clusterId } = await startWithTenantCluster('postgres'));
    token = await createAgentToken(api, key, clusterId);
  });
  afterAll(() => control?.stop());

  it('stores what the agent ships and filters it, including by pending verdict', async () => {
    const allowedButStagedDeny = entry({
      kind: 'allowed',
      endpoint: 'shop/web',
      port: 80,
      rule: { tier: 'default', policyId: 'NetworkPolicy/shop/web', ruleIndex: 0, action: 'Allow' },
      pendingVerdict: 'deny',
      pendingRule: { tier: 'default', policyId: 'StagedNetworkPolicy/shop/lockdown', ruleIndex: 'default', action: 'Deny' },
    });
    const shipped = await api.post('/v1/agent/flows', { key: token, body: { nodeName: 'node-1', entries: [entry({}), allowedButStagedDeny] } });
    expect(shipped.status).toBe(204);

    const all = await api.get(`/v1/clusters/${clusterId}/flows`, { key });
    expect(all.body.items).toHaveLength(2);
    expect(all.body.items[0]).toMatchObject({ ...entry({}), nodeName: 'node-1' });

    const wouldBreak = await api.get(`/v1/clusters/${clusterId}/flows?pendingVerdict=deny`, { key });
    expect(wouldBreak.body.items.map((item: FlowLogEntry) => item.endpoint)).toEqual(['shop/web']);
    expect(wouldBreak.body.items[0].pendingRule.policyId).toBe('StagedNetworkPolicy/shop/lockdown');
    const denied = await api.get(`/v1/clusters/${clusterId}/flows?kind=denied&endpoint=shop/db`, { key });
    expect(denied.body.items).toHaveLength(1);
  });

  it('refuses a malformed batch, naming the field, and stores nothing', async () => {
    const before = (await api.get(`/v1/clusters/${clusterId}/flows`, { key })).body.items.length;
    const refused = await api.post('/v1/agent/flows', { key: token, body: { nodeName: 'node-1', entries: [entry({ protocol: 300 })] } });
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0].path).toBe('entries.0.protocol');
    expect((await api.get(`/v1/clusters/${clusterId}/flows`, { key })).body.items).toHaveLength(before);
  });

  it("answers 404 to another tenant asking for this cluster's flows", async () => {
    const other = await signUp(api);
    expect((await api.get(`/v1/clusters/${clusterId}/flows`, { key: other.key })).status).toBe(404);
  });
});
