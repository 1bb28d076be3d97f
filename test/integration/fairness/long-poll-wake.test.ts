// Parked long-polls cost no queries of their own: a write wakes exactly its cluster's waiters, each
// with the new revision (none with 304), from one read per notification; while they wait, the
// database sees a few shared rechecks, not one query per waiter every couple of seconds.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../../db/index.ts';
import { type ApiClient, apiClient, createAgentToken, createCluster, createPolicy, signUp } from '../../support/api-client.ts';
import { waitForRevision } from '../../support/bundles.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';

const WAITERS_PER_CLUSTER = 500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

describe.each(['postgres', 'pglite'] as const)('parked long-polls on %s', (flavour) => {
  let control: TestControlPlane;
  let api: ApiClient;
  let key: string;
  const clusters: { id: string; token: string; etag: string; revision: number }[] = [];

  beforeAll(async () => {
    control = await startTestControlPlane(flavour, { RELAY_POLL_MS: '30000' });
    api = apiClient(control.url);
    ({ key } = await signUp(api));
    for (let index = 0; index < 2; index++) {
      const { id } = await createCluster(api, key);
      const token = await createAgentToken(api, key, id);
      const current = await waitForRevision(api, token, 1);
      clusters.push({ id, token, etag: current.etag!, revision: current.revision });
    }
  }, 60_000);
  afterAll(() => control?.stop());

  async function transactionsCommitted(): Promise<number> {
    const [row] = rowsOf<{ commits: string }>(
      await control.plane.database.db.execute(sql`select xact_commit::text as commits from pg_stat_database where datname = current_database()`),
    );
    return Number(row!.commits);
  }

  it(`wakes only the written cluster's ${WAITERS_PER_CLUSTER} waiters, each with the new revision`, async () => {
    const [written, quiet] = clusters as [(typeof clusters)[0], (typeof clusters)[0]];
    // Agents arrive in batches, as nodes do: each arrival costs a few transactions, and the embedded
    // database runs them one at a time on the event loop the test's client shares.
    const batchEveryMs = flavour === 'postgres' ? 200 : 4_000;
    const park = (cluster: typeof written, waitSeconds: number) =>
      Array.from({ length: WAITERS_PER_CLUSTER }, async (_, index) => {
        await sleep(Math.floor(index / 50) * batchEveryMs);
        const response = await fetch(`${control.url}/v1/agent/bundle?wait=${waitSeconds}`, {
          headers: { authorization: `Bearer ${cluster.token}`, 'if-none-match': cluster.etag },
        });
        await response.arrayBuffer();
        return { status: response.status, revision: Number(response.headers.get('x-palisade-revision')), at: performance.now() };
      });
    const writtenPolls = park(written, 120);
    const quietPolls = park(quiet, 60);
    let quietSettled = 0;
    for (const poll of quietPolls) void poll.then(() => quietSettled++);
    await sleep(flavour === 'postgres' ? 3_000 : 45_000);

    if (flavour === 'postgres') {
      // Postgres counts transactions; once every agent is parked, parked waiters must cost a few shared
      // rechecks, not a query each every couple of seconds. A backend that goes idle reports its
      // counts up to 10 s later (PGSTAT_IDLE_INTERVAL in pgstat.c), so the arrivals' own
      // transactions are let through the counter before the window opens.
      const arrivalsUntil = performance.now() + 60_000;
      while (control.plane.bundleWaiters.parked < 2 * WAITERS_PER_CLUSTER && performance.now() < arrivalsUntil) await sleep(200);
      expect(control.plane.bundleWaiters.parked).toBe(2 * WAITERS_PER_CLUSTER);
      await sleep(11_000);
      const before = await transactionsCommitted();
      await sleep(6_000);
      const during = (await transactionsCommitted()) - before;
      console.log(`[${flavour}] transactions in 6 s with ${2 * WAITERS_PER_CLUSTER} parked waiters: ${during}`);
      expect(during).toBeLessThan(50);
    }

    const writtenAt = performance.now();
    await createPolicy(api, key, written.id);
    const woken = await Promise.all(writtenPolls);
    expect(woken.filter((poll) => poll.status !== 200)).toEqual([]);
    expect(new Set(woken.map((poll) => poll.revision))).toEqual(new Set([written.revision + 1]));
    const latencies = woken.map((poll) => poll.at - writtenAt);
    console.log(
      `[${flavour}] write -> wake of ${WAITERS_PER_CLUSTER} waiters, ms: p50 ${percentile(latencies, 50).toFixed(0)}, p99 ${percentile(latencies, 99).toFixed(0)}`,
    );
    expect(quietSettled).toBe(0);

    const quietAnswers = await Promise.all(quietPolls);
    expect(quietAnswers.every((poll) => poll.status === 304)).toBe(true);
  }, 200_000);
});
