// A write parses only what it writes: the cluster's stored objects are read as the IR kept in their
// rows (tier checks, rules per endpoint, the bundle build), never parsed again. Counted through the
// kinds' one parse entry point.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rowsOf } from '../../../db/index.ts';
import { backfillPolicyResources } from '../../../workers/policies/backfill-resources.ts';
import { type ApiClient, networkPolicy } from '../../support/api-client.ts';
import type { TestControlPlane } from '../../support/control-plane.ts';
import { startWithTenantCluster } from '../../support/tenant-with-cluster.ts';

const parses = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../../policy/kinds/index.ts', async (importOriginal) => {
  const kinds = await importOriginal<typeof import('../../../policy/kinds/index.ts')>();
  return {
    ...kinds,
    parseObject(object: unknown) {
      parses.count += 1;
      return kinds.parseObject(object);
    },
  };
});

const STORED = 40;

describe('writes in a cluster holding many policies', () => {
  let control: TestControlPlane;
  let api: ApiClient;
  let key: string;
  let clusterId: string;

  const query = async <T>(statement: ReturnType<typeof sql>) => rowsOf<T>(await control.plane.database.db.execute(statement));
  const latestRevision = async () =>
    (await query<{ revision: number | null }>(sql`select max(revision)::int as revision from bundles where cluster_id = ${clusterId}`))[0]!.revision ?? 0;
  async function untilRevision(revision: number) {
    const deadline = Date.now() + 10_000;
    while ((await latestRevision()) < revision) {
      if (Date.now() > deadline) throw new Error(`no bundle revision ${revision}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const apply = (documents: unknown[]) =>
    api.post(`/v1/apply?cluster=${clusterId}`, {
      key,
      raw: documents.map((document) => JSON.stringify(document)).join('\n---\n'),
      contentType: 'application/yaml',
    });

  beforeAll(async () => {
    ({ control, api, key, clusterId } = await startWithTenantCluster('postgres'));
    const applied = await apply(Array.from({ length: STORED }, (_, index) => networkPolicy(`stored-${index}`, `ns-${index % 7}`)));
    expect(applied.status).toBe(200);
    await untilRevision(1);
  });
  afterAll(() => control?.stop());

  it('parses only the written object, in the write and in the bundle build it causes', async () => {
    const before = await latestRevision();
    parses.count = 0;
    const created = await api.post(`/v1/clusters/${clusterId}/policies`, { key, body: networkPolicy('one-more', 'shop') });
    expect(created.status).toBe(201);
    await untilRevision(before + 1);
    expect(parses.count).toBe(1);
  });

  it('keeps the IR of rows written before it was stored once the start-up backfill ran', async () => {
    await query(sql`update policies set resource = null where cluster_id = ${clusterId}`);
    expect(await backfillPolicyResources(control.plane.database.db)).toBe(STORED + 1);
    const before = await latestRevision();
    parses.count = 0;
    const created = await api.post(`/v1/clusters/${clusterId}/policies`, { key, body: networkPolicy('after-backfill', 'shop') });
    expect(created.status).toBe(201);
    await untilRevision(before + 1);
    expect(parses.count).toBe(1);
  });
});
