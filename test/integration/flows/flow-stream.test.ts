// The live tail of a cluster's flows: a flow an agent ships after the stream opened arrives as an
// event; a reconnect with Last-Event-ID resumes after it with nothing twice; another API process's
// stream sees it too (NOTIFY); a tenant's open streams are capped; shutdown ends streams cleanly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowLogEntry } from '../../../policy/flow-log.ts';
import { type ApiClient, apiClient, createAgentToken, createCluster, signUp } from '../../support/api-client.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';
import { openEventStream } from '../../support/event-stream.ts';
import { startWithTenantCluster } from '../../support/tenant-with-cluster.ts';

const entry = (port: number, overrides: Partial<FlowLogEntry> = {}): FlowLogEntry => ({
  startTime: '2026-11-26T12:00:00.000Z',
  endTime: '2026-11-26T12:00:15.000Z',
  endpoint: 'shop/db',
  direction: 'ingress',
  remote: '198.18.0.7',
  protocol: 6,
  port,
  kind: 'denied',
  rule: { tier: 'default', policyId: 'NetworkPolicy/shop/db', ruleIndex: 'default', action: 'Deny' },
  count: 1,
  bytes: 60,
  ...overrides,
});

describe('flow stream', () => {
  let control: TestControlPlane;
  let api: ApiClient;
  let key: string;
  let clusterId: string;
  let token: string;

  beforeAll(async () => {
    ({ control, api, key, clusterId } = await startWithTenantCluster('postgres', { FLOW_STREAMS_PER_TENANT: '2' }));
    token = await createAgentToken(api, key, clusterId);
  });
  afterAll(() => control?.stop());

  const ship = async (...entries: FlowLogEntry[]) => {
    const shipped = await api.post('/v1/agent/flows', { key: token, body: { nodeName: 'node-1', entries } });
    expect(shipped.status).toBe(204);
  };
  const streamUrl = (query = '') => `${control.url}/v1/clusters/${clusterId}/flows/stream${query}`;

  it('sends a flow shipped after the stream opened, as the list shows it, and resumes after Last-Event-ID without repeats', async () => {
    await ship(entry(1000));
    const stream = await openEventStream(streamUrl(), { authorization: `Bearer ${key}` });
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await ship(entry(1001));
    const first = await stream.next();
    expect(first?.event).toBe('flow');
    const flow = JSON.parse(first!.data);
    // Only what came after the stream opened: the older flow (port 1000) is not replayed.
    expect(flow.port).toBe(1001);
    expect(first?.id).toBe(flow.id);
    const listed = await api.get(`/v1/clusters/${clusterId}/flows`, { key });
    expect(listed.body.items.find((item: { id: string }) => item.id === flow.id)).toEqual(flow);
    stream.close();

    await ship(entry(1002), entry(1003));
    const resumed = await openEventStream(streamUrl(), { authorization: `Bearer ${key}`, 'last-event-id': first!.id! });
    const ports: number[] = [];
    for (let n = 0; n < 2; n++) ports.push(JSON.parse((await resumed.next())!.data).port);
    expect(ports).toEqual([1002, 1003]);
    await ship(entry(1004));
    expect(JSON.parse((await resumed.next())!.data).port).toBe(1004);
    resumed.close();

    // The list takes the same cursor: what came after the first streamed flow.
    const after = await api.get(`/v1/clusters/${clusterId}/flows?cursor=${first!.id}`, { key });
    expect(after.body.items.map((item: { port: number }) => item.port)).toEqual([1002, 1003, 1004]);
  });

  it("applies the list's filters", async () => {
    const stream = await openEventStream(streamUrl('?kind=allowed'), { authorization: `Bearer ${key}` });
    await ship(entry(2000), entry(2001, { kind: 'allowed', rule: { tier: 'default', policyId: 'NetworkPolicy/shop/db', ruleIndex: 0, action: 'Allow' } }));
    expect(JSON.parse((await stream.next())!.data)).toMatchObject({ port: 2001, kind: 'allowed' });
    stream.close();
  });

  it("reaches another API process's stream through NOTIFY", async () => {
    const other = await startTestControlPlane('postgres', {}, { databaseUrl: control.databaseUrl, role: 'api' });
    try {
      const stream = await openEventStream(`${other.url}/v1/clusters/${clusterId}/flows/stream`, { authorization: `Bearer ${key}` });
      expect(stream.response.status).toBe(200);
      await ship(entry(3000));
      expect(JSON.parse((await stream.next())!.data).port).toBe(3000);
      stream.close();
    } finally {
      await other.plane.stop();
    }
  });

  it('refuses a stream over the per-tenant cap with 429 and Retry-After, and frees the slot when one closes', async () => {
    const open = [
      await openEventStream(streamUrl(), { authorization: `Bearer ${key}` }),
      await openEventStream(streamUrl(), { authorization: `Bearer ${key}` }),
    ];
    expect(open.map((stream) => stream.response.status)).toEqual([200, 200]);
    const refused = await api.get(`/v1/clusters/${clusterId}/flows/stream`, { key });
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another tenant is not held back by this one's streams.
    const other = await signUp(api);
    const otherCluster = await createCluster(api, other.key);
    const theirs = await openEventStream(`${control.url}/v1/clusters/${otherCluster.id}/flows/stream`, { authorization: `Bearer ${other.key}` });
    expect(theirs.response.status).toBe(200);
    theirs.close();

    open[0]!.close();
    // The slot frees once the server sees the hang-up; ask until it has (bounded by the test timeout).
    let again = await openEventStream(streamUrl(), { authorization: `Bearer ${key}` });
    while (again.response.status === 429) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      again = await openEventStream(streamUrl(), { authorization: `Bearer ${key}` });
    }
    expect(again.response.status).toBe(200);
    again.close();
    open[1]!.close();
  });

  it("answers 404 for another tenant's cluster and 422 for a malformed Last-Event-ID, before any stream opens", async () => {
    const other = await signUp(api);
    expect((await api.get(`/v1/clusters/${clusterId}/flows/stream`, { key: other.key })).status).toBe(404);
    const malformed = await api.get(`/v1/clusters/${clusterId}/flows/stream`, { key, headers: { 'last-event-id': 'yesterday' } });
    expect(malformed.status).toBe(422);
    expect(malformed.body.errors[0].path).toBe('header.last-event-id');
  });
});

describe('flow stream at shutdown', () => {
  it('ends open streams cleanly when the control plane stops', async () => {
    const control = await startTestControlPlane('pglite');
    const api = apiClient(control.url);
    const { key } = await signUp(api);
    const cluster = await createCluster(api, key);
    const stream = await openEventStream(`${control.url}/v1/clusters/${cluster.id}/flows/stream`, { authorization: `Bearer ${key}` });
    expect(stream.response.status).toBe(200);
    await control.stop();
    expect(await stream.next()).toBeUndefined();
  });
});
