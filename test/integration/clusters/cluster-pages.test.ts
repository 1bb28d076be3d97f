// Pages of a cluster's policies, bundles and agent tokens are tenant reads (db/tenant-read.ts): one
// statement that answers both "is this a live cluster of the tenant's" and the page. Another tenant's
// cluster and a deleted one are a 404, an own cluster with nothing in it an empty page; filters and
// cursors give the rows the transaction's page gave; a filter's value is matched as exactly itself.

import { eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PageRequest, toPage } from '../../../api/http/pagination.ts';
import { presentAgentToken } from '../../../api/schemas/agent-tokens.ts';
import { presentPolicy } from '../../../api/schemas/policies.ts';
import { getAgentToken, listAgentTokens } from '../../../api/services/agent-tokens.ts';
import { listBundles } from '../../../api/services/bundles.ts';
import { getPolicy, listPolicies, type PolicyFilter } from '../../../api/services/policies/read.ts';
import { type Database, newId, withTenant } from '../../../db/index.ts';
import { agentTokens, bundles, policies } from '../../../db/schema/index.ts';
import { type OneSessionDatabase, openOneSessionDatabase } from '../../support/one-session-database.ts';
import { pageInClusterTransaction } from '../../support/page-in-transaction.ts';
import { HOSTILE_VALUES, insertPageClusters, type PageClusters, viewerOf } from '../../support/tenant-read-fixture.ts';

describe.each(['postgres', 'pglite'] as const)('cluster pages on %s', (flavour) => {
  let opened: OneSessionDatabase | undefined;
  let database: Database;
  const mine = newId();
  const theirs = newId();
  let ids: PageClusters;
  const ctx = (tenantId: string) => viewerOf(database, tenantId);

  beforeAll(async () => {
    opened = await openOneSessionDatabase(flavour, { [mine]: 'mine', [theirs]: 'theirs' });
    database = opened.database;
    ids = await insertPageClusters(database, mine, theirs);
    const policy = (tenantId: string, clusterId: string, kind: string, namespace: string, name: string) => ({
      id: newId(),
      tenantId,
      clusterId,
      apiVersion: 'networking.k8s.io/v1',
      kind,
      namespace,
      name,
      manifest: { kind, metadata: { name, namespace } },
      ruleCount: 1,
    });
    const names = ['web', 'db', ...HOSTILE_VALUES, `${HOSTILE_VALUES[1]}x`];
    await database.db
      .insert(policies)
      .values([
        ...names.flatMap((name) => [
          policy(mine, ids.full, 'NetworkPolicy', 'shop', name),
          policy(mine, ids.full, 'NetworkPolicy', "o'hare\\", name),
          policy(mine, ids.full, 'GlobalNetworkPolicy', '', name),
        ]),
        policy(mine, ids.deleted, 'NetworkPolicy', 'shop', 'web'),
        policy(theirs, ids.theirs, 'NetworkPolicy', 'shop', 'web'),
      ]);
    const at = new Date('2026-12-07T12:00:00Z');
    await database.db.insert(bundles).values(
      [1, 2, 3].map((revision) => ({
        id: newId(),
        tenantId: mine,
        clusterId: ids.full,
        revision,
        sha256: `s${revision}`,
        contentHash: `c${revision}`,
        keyId: 'k',
        jws: 'a.b.c',
        size: 5,
        expiresAt: at,
      })),
    );
    await database.db.insert(agentTokens).values(
      ['a', 'b', 'c'].map((name) => ({
        id: newId(),
        tenantId: mine,
        clusterId: ids.full,
        name,
        prefix: name,
        hash: `${name}-${newId()}`,
        revokedAt: name === 'b' ? at : null,
      })),
    );
  });
  afterAll(() => opened?.close());

  /** What the page was before it was a tenant read: the cluster found, then the page, in a transaction. */
  async function pageInTransaction(filter: PolicyFilter) {
    const rows = await pageInClusterTransaction(
      database.db,
      mine,
      ids.full,
      policies,
      filter,
      filter.kind ? eq(policies.kind, filter.kind) : undefined,
      filter.namespace !== undefined ? eq(policies.namespace, filter.namespace) : undefined,
      filter.name ? eq(policies.name, filter.name) : undefined,
    );
    return toPage(rows, filter, presentPolicy);
  }

  it('answers 404 for another tenant’s cluster, a deleted one and a malformed id, for every page', async () => {
    const page: PageRequest = { limit: 10 };
    for (const clusterId of [ids.theirs, ids.deleted, newId(), 'not-an-id']) {
      await expect(listPolicies(ctx(mine), { clusterId, filter: page })).rejects.toMatchObject({ status: 404 });
      await expect(listBundles(ctx(mine), { clusterId, page })).rejects.toMatchObject({ status: 404 });
      await expect(listAgentTokens(ctx(mine), { clusterId, page })).rejects.toMatchObject({ status: 404 });
    }
    await expect(listPolicies(ctx(theirs), { clusterId: ids.full, filter: page })).rejects.toMatchObject({ status: 404 });
  });

  it('gives an empty page, not a 404, for an own cluster with nothing in it or nothing that matches', async () => {
    const empty = { items: [], nextCursor: null };
    expect(await listPolicies(ctx(mine), { clusterId: ids.empty, filter: { limit: 10 } })).toEqual(empty);
    expect(await listBundles(ctx(mine), { clusterId: ids.empty, page: { limit: 10 } })).toEqual(empty);
    expect(await listAgentTokens(ctx(mine), { clusterId: ids.empty, page: { limit: 10 } })).toEqual(empty);
    expect(await listPolicies(ctx(mine), { clusterId: ids.full, filter: { limit: 10, name: 'nothing' } })).toEqual(empty);
  });

  it('gives the pages the transaction gave, filter by filter and cursor by cursor', async () => {
    const filters: PolicyFilter[] = [
      { limit: 200 },
      { limit: 4 },
      { limit: 3, kind: 'NetworkPolicy' },
      { limit: 2, namespace: '' },
      { limit: 5, namespace: 'shop', name: 'web' },
      { limit: 50, kind: 'GlobalNetworkPolicy', namespace: '' },
      { limit: 1, name: 'db' },
    ];
    for (const filter of filters) {
      let request: PolicyFilter = filter;
      let pages = 0;
      for (;;) {
        const read = await listPolicies(ctx(mine), { clusterId: ids.full, filter: request });
        expect(read).toEqual(await pageInTransaction(request));
        pages += 1;
        if (!read.nextCursor) break;
        request = { ...filter, cursor: read.nextCursor };
      }
      expect(pages).toBeGreaterThan(0);
    }
    const whole = await listPolicies(ctx(mine), { clusterId: ids.full, filter: { limit: 200 } });
    expect(whole.items).toHaveLength(30);
    expect(whole.items.map((item) => item.id)).toEqual([...whole.items.map((item) => item.id)].sort());
  });

  it('matches a filter full of quotes and backslashes as exactly itself', async () => {
    for (const value of HOSTILE_VALUES) {
      const read = await listPolicies(ctx(mine), { clusterId: ids.full, filter: { limit: 50, name: value } });
      expect(read.items.map((item) => item.name)).toEqual([value, value, value]);
    }
    const quoted = await listPolicies(ctx(mine), { clusterId: ids.full, filter: { limit: 50, namespace: "o'hare\\" } });
    expect(quoted.items).toHaveLength(10);
    expect(quoted).toEqual(await pageInTransaction({ limit: 50, namespace: "o'hare\\" }));
    expect(await listPolicies(ctx(mine), { clusterId: ids.full, filter: { limit: 50, kind: "' or true --" } })).toEqual({ items: [], nextCursor: null });
  });

  it('reads bundles and live agent tokens as the transaction did', async () => {
    const bundlePage = await listBundles(ctx(mine), { clusterId: ids.full, page: { limit: 2 } });
    expect(bundlePage.items.map((bundle) => bundle.revision)).toEqual([1, 2]);
    const rest = await listBundles(ctx(mine), { clusterId: ids.full, page: { limit: 2, cursor: bundlePage.nextCursor! } });
    expect(rest).toMatchObject({ items: [{ revision: 3 }], nextCursor: null });
    const tokens = await listAgentTokens(ctx(mine), { clusterId: ids.full, page: { limit: 10 } });
    const live = await pageInClusterTransaction(database.db, mine, ids.full, agentTokens, { limit: 10 }, isNull(agentTokens.revokedAt));
    expect(tokens.items.map((token) => token.name)).toEqual(['a', 'c']);
    expect(tokens.items.map((token) => token.id)).toEqual(live.map((row) => row.id));
  });

  it('reads one live agent token as the transaction did, and 404s on a revoked one, another cluster’s and another tenant’s', async () => {
    const rows = await withTenant(database.db, mine, (tx) => tx.select().from(agentTokens).where(eq(agentTokens.clusterId, ids.full)));
    for (const row of rows) {
      const read = getAgentToken(ctx(mine), { clusterId: ids.full, tokenId: row.id });
      if (row.revokedAt) await expect(read).rejects.toMatchObject({ status: 404 });
      else expect(await read).toEqual(presentAgentToken(row));
      await expect(getAgentToken(ctx(mine), { clusterId: ids.empty, tokenId: row.id })).rejects.toMatchObject({ status: 404 });
      await expect(getAgentToken(ctx(theirs), { clusterId: ids.full, tokenId: row.id })).rejects.toMatchObject({ status: 404 });
    }
    expect(rows.filter((row) => !row.revokedAt)).toHaveLength(2);
  });

  it('reads one policy by id, as drizzle would, and 404s on another tenant’s', async () => {
    const [row] = await withTenant(database.db, mine, (tx) => tx.select().from(policies).where(eq(policies.name, 'web')).limit(1));
    expect(await getPolicy(ctx(mine), { policyId: row!.id })).toEqual(row);
    await expect(getPolicy(ctx(theirs), { policyId: row!.id })).rejects.toMatchObject({ status: 404 });
    await expect(getPolicy(ctx(mine), { policyId: newId() })).rejects.toMatchObject({ status: 404 });
  });
});
