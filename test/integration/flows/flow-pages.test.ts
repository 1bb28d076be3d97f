// The flow list and the live tail's pages are tenant reads (cluster-scope.ts readClusterPage), every
// filter in flowConditions written as a literal. Each filter kind, alone and combined, cursor by
// cursor, gives the rows the transaction's page gave with drizzle's parameters; another tenant's
// cluster is a 404; a value full of quotes and backslashes is matched as exactly itself.

import { eq, gte, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toPage } from '../../../api/http/pagination.ts';
import { type FlowRecord, presentFlow } from '../../../api/schemas/flows.ts';
import type { FlowFeed, FlowListener } from '../../../api/services/flow-feed.ts';
import { openFlowTail } from '../../../api/services/flow-stream.ts';
import { type FlowFilter, listFlowLogs } from '../../../api/services/flows.ts';
import { type Database, newId, withTenant } from '../../../db/index.ts';
import { flowLogs } from '../../../db/schema/index.ts';
import { type OneSessionDatabase, openOneSessionDatabase } from '../../support/one-session-database.ts';
import { pageInClusterTransaction } from '../../support/page-in-transaction.ts';
import { HOSTILE_VALUES, insertPageClusters, type PageClusters, viewerOf } from '../../support/tenant-read-fixture.ts';

// LIKE's wildcards too: the namespace filter is the one LIKE.
const HOSTILE = [...HOSTILE_VALUES, '%', '_'];
const BEFORE_ALL = '00000000-0000-0000-0000-000000000000';

describe.each(['postgres', 'pglite'] as const)('flow pages on %s', (flavour) => {
  let opened: OneSessionDatabase | undefined;
  let database: Database;
  const mine = newId();
  const theirs = newId();
  let ids: PageClusters;
  const ctx = (tenantId: string) => viewerOf(database, tenantId);
  const at = new Date('2026-12-07T12:00:00Z');

  beforeAll(async () => {
    opened = await openOneSessionDatabase(flavour, { [mine]: 'mine', [theirs]: 'theirs' });
    database = opened.database;
    ids = await insertPageClusters(database, mine, theirs);
    const endpoints = ['shop/db', 'shop/web', 'shopping/db', 'shop_x/db', 'sho/p', ...HOSTILE.map((value) => `ns/${value}`)];
    const flow = (tenantId: string, clusterId: string, endpoint: string, i: number) => ({
      id: newId(),
      tenantId,
      clusterId,
      nodeName: 'node-1',
      startTime: new Date(at.getTime() + i * 60_000 - 15_000),
      endTime: new Date(at.getTime() + i * 60_000),
      endpoint,
      direction: i % 2 ? ('egress' as const) : ('ingress' as const),
      remote: '198.18.0.7',
      protocol: i % 3 ? 6 : 17,
      port: [53, 80, 5432][i % 3]!,
      kind: (['allowed', 'denied', 'logged'] as const)[i % 3]!,
      rule: i % 4 ? { tier: 'default', policyId: i % 2 ? `NetworkPolicy/${endpoint}` : 'NetworkPolicy/shop/db', ruleIndex: 0, action: 'Allow' as const } : null,
      pendingVerdict: ([undefined, 'allow', 'deny'] as const)[i % 3] ?? null,
      count: i + 1,
      bytes: 60 * (i + 1),
    });
    await database.db
      .insert(flowLogs)
      .values([
        ...endpoints.flatMap((endpoint, i) => [flow(mine, ids.full, endpoint, i), flow(mine, ids.full, endpoint, i + endpoints.length)]),
        flow(mine, ids.deleted, 'shop/db', 0),
        flow(theirs, ids.theirs, 'shop/db', 0),
      ]);
  });
  afterAll(() => opened?.close());

  /** What the list was before it was a tenant read: drizzle's conditions, with parameters, in a transaction. */
  async function listInTransaction(filter: FlowFilter) {
    const rows = await pageInClusterTransaction(
      database.db,
      mine,
      ids.full,
      flowLogs,
      filter,
      filter.since ? gte(flowLogs.endTime, new Date(filter.since)) : undefined,
      filter.kind ? eq(flowLogs.kind, filter.kind) : undefined,
      filter.endpoint ? eq(flowLogs.endpoint, filter.endpoint) : undefined,
      filter.pendingVerdict ? eq(flowLogs.pendingVerdict, filter.pendingVerdict) : undefined,
      filter.namespace ? like(flowLogs.endpoint, `${filter.namespace}/%`) : undefined,
      filter.policy ? sql`${flowLogs.rule}->>'policyId' = ${filter.policy}` : undefined,
      filter.port !== undefined ? eq(flowLogs.port, filter.port) : undefined,
      filter.protocol !== undefined ? eq(flowLogs.protocol, filter.protocol) : undefined,
    );
    return toPage(rows, filter, presentFlow);
  }

  /** Every flow the live tail sends from before the first flow, until it has sent `expected` of them. */
  async function tail(filter: FlowFilter, expected: number, cursor: string | undefined = BEFORE_ALL): Promise<FlowRecord[]> {
    let listener: FlowListener | undefined;
    const feed: FlowFeed = {
      subscribe: (_clusterId, subscriber) => {
        listener = subscriber;
        return () => {};
      },
      announce: () => {},
      close: async () => {},
    };
    const opened = await openFlowTail(ctx(mine), { clusterId: ids.full, filter, cursor, feed });
    const sent: FlowRecord[] = [];
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), 5_000);
    await opened.run(
      {
        async flow(flow) {
          sent.push(flow);
          if (sent.length === expected) listener?.end();
        },
        async heartbeat() {},
      },
      stop.signal,
    );
    clearTimeout(timer);
    return sent;
  }

  const filters: FlowFilter[] = [
    { limit: 100 },
    { limit: 3 },
    { limit: 2, since: '2026-12-07T12:05:00Z' },
    { limit: 2, since: '2026-12-07T12:05:00.000+02:00' },
    ...(['allowed', 'denied', 'logged'] as const).map((kind) => ({ limit: 2, kind })),
    { limit: 1, endpoint: 'shop/db' },
    ...(['allow', 'deny'] as const).map((pendingVerdict) => ({ limit: 2, pendingVerdict })),
    { limit: 2, namespace: 'shop' },
    { limit: 2, namespace: 'shopping' },
    { limit: 2, namespace: 'ns' },
    { limit: 2, policy: 'NetworkPolicy/shop/db' },
    ...[0, 53, 80, 5432].map((port) => ({ limit: 2, port })),
    ...[6, 17, 132].map((protocol) => ({ limit: 2, protocol })),
    { limit: 2, namespace: 'shop', port: 5432, protocol: 6, kind: 'allowed' },
    { limit: 1, since: '2026-12-07T12:03:00Z', namespace: 'ns', pendingVerdict: 'deny', protocol: 6 },
    ...HOSTILE.flatMap((value) => [
      { limit: 1, endpoint: `ns/${value}` },
      { limit: 1, policy: `NetworkPolicy/ns/${value}` },
    ]),
  ];

  it('answers 404 for another tenant’s cluster, a deleted one and a malformed id; an empty page for an empty one', async () => {
    for (const clusterId of [ids.theirs, ids.deleted, newId(), 'not-an-id']) {
      await expect(listFlowLogs(ctx(mine), { clusterId, filter: { limit: 10 } })).rejects.toMatchObject({ status: 404 });
    }
    await expect(listFlowLogs(ctx(theirs), { clusterId: ids.full, filter: { limit: 10 } })).rejects.toMatchObject({ status: 404 });
    expect(await listFlowLogs(ctx(mine), { clusterId: ids.empty, filter: { limit: 10 } })).toEqual({ items: [], nextCursor: null });
    expect(await listFlowLogs(ctx(theirs), { clusterId: ids.theirs, filter: { limit: 10 } })).toMatchObject({ items: [{ endpoint: 'shop/db' }] });
  });

  it('lists the pages the transaction gave, for every filter kind, cursor by cursor', async () => {
    for (const filter of filters) {
      let request = filter;
      for (;;) {
        const read = await listFlowLogs(ctx(mine), { clusterId: ids.full, filter: request });
        expect(read, JSON.stringify(request)).toEqual(await listInTransaction(request));
        if (!read.nextCursor) break;
        request = { ...filter, cursor: read.nextCursor };
      }
    }
  });

  it('matches quoted values as exactly themselves, and a namespace only as a namespace', async () => {
    for (const value of HOSTILE) {
      const byEndpoint = await listFlowLogs(ctx(mine), { clusterId: ids.full, filter: { limit: 50, endpoint: `ns/${value}` } });
      expect(byEndpoint.items.map((flow) => flow.endpoint)).toEqual([`ns/${value}`, `ns/${value}`]);
      const byPolicy = await listFlowLogs(ctx(mine), { clusterId: ids.full, filter: { limit: 50, policy: `NetworkPolicy/ns/${value}` } });
      expect(byPolicy.items.map((flow) => flow.rule?.policyId)).toEqual(byPolicy.items.map(() => `NetworkPolicy/ns/${value}`));
    }
    const shop = await listFlowLogs(ctx(mine), { clusterId: ids.full, filter: { limit: 50, namespace: 'shop' } });
    expect(new Set(shop.items.map((flow) => flow.endpoint))).toEqual(new Set(['shop/db', 'shop/web']));
    // The API refuses a namespace that is not a DNS label (422); below it, LIKE's wildcards are taken as themselves.
    expect(await listFlowLogs(ctx(mine), { clusterId: ids.full, filter: { limit: 50, namespace: 'sho_' } })).toEqual({ items: [], nextCursor: null });
    expect(await listFlowLogs(ctx(mine), { clusterId: ids.full, filter: { limit: 50, namespace: '%' } })).toEqual({ items: [], nextCursor: null });
    const underscore = await listFlowLogs(ctx(mine), { clusterId: ids.full, filter: { limit: 50, namespace: 'shop_x' } });
    expect(underscore.items.map((flow) => flow.endpoint)).toEqual(['shop_x/db', 'shop_x/db']);
  });

  it('tails the flows the list gives, for every filter kind', async () => {
    for (const filter of filters) {
      const { limit: _, ...conditions } = filter;
      const listed = await listInTransaction({ ...conditions, limit: 1000 });
      if (listed.items.length === 0) continue;
      expect(await tail(conditions as FlowFilter, listed.items.length), JSON.stringify(conditions)).toEqual(listed.items);
    }
  });

  it('opens a tail only on a live cluster of the tenant’s, from `since` without a cursor, else after the newest flow', async () => {
    const feed: FlowFeed = { subscribe: () => () => {}, announce: () => {}, close: async () => {} };
    for (const clusterId of [ids.theirs, ids.deleted, newId(), 'not-an-id']) {
      await expect(openFlowTail(ctx(mine), { clusterId, filter: {}, feed })).rejects.toMatchObject({ status: 404 });
    }
    await expect(openFlowTail(ctx(theirs), { clusterId: ids.full, filter: {}, feed })).rejects.toMatchObject({ status: 404 });
    const since = { since: '2026-12-07T12:05:00Z' };
    const fromSince = await listInTransaction({ ...since, limit: 1000 });
    expect(await tail(since as FlowFilter, fromSince.items.length, undefined)).toEqual(fromSince.items);
    // Without a cursor or `since`, the tail starts after the newest flow: a flow stored after it opens is the first sent.
    let listener: FlowListener | undefined;
    const opened = await openFlowTail(ctx(mine), {
      clusterId: ids.full,
      filter: {},
      feed: {
        ...feed,
        subscribe: (_clusterId, subscriber) => {
          listener = subscriber;
          return () => {};
        },
      },
    });
    const late = { ...(await withTenant(database.db, mine, (tx) => tx.select().from(flowLogs).limit(1)))[0]!, id: newId(), endpoint: 'late/pod' };
    await database.db.insert(flowLogs).values(late);
    const sent: FlowRecord[] = [];
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), 5_000);
    const sink = {
      async flow(flow: FlowRecord) {
        sent.push(flow);
        listener?.end();
      },
      async heartbeat() {},
    };
    await opened.run(sink, stop.signal);
    clearTimeout(timer);
    expect(sent.map((flow) => flow.id)).toEqual([late.id]);
  });
});
