// A fleet of agents arriving at their cluster's long-poll costs the database nothing per agent: a
// token is looked up once however many polls bring it at the same moment, and an agent arriving at
// a cluster whose bundle is already watched checks its revision against the watch's row with no
// transaction of its own, as do the agents coming back after a write woke them.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ApiClient, createAgentToken, createCluster, createPolicy } from '../../support/api-client.ts';
import { waitForRevision } from '../../support/bundles.ts';
import type { TestControlPlane } from '../../support/control-plane.ts';
import { startWithTenantCluster } from '../../support/tenant-with-cluster.ts';

const FLEET = 200;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a fleet of agents long-polling one cluster', () => {
  let control: TestControlPlane;
  let api: ApiClient;
  let key: string;
  let tenantId: string;
  let clusterId: string;
  let stackTraceLimit: number;

  beforeAll(async () => {
    // A slow relay poll: the worker's own transactions stay out of the way.
    ({ control, api, key, tenantId, clusterId } = await startWithTenantCluster('postgres', { RELAY_POLL_MS: '30000' }));
    // The transactions are told apart by who started them (the rechecks and the worker share the
    // pool), which needs the whole synchronous call chain in the stack.
    stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 100;
  });
  afterAll(async () => {
    Error.stackTraceLimit = stackTraceLimit;
    await control?.stop();
  });

  /** Counts the transactions started from now on, by the function that started them. */
  function countTransactions() {
    const db = control.plane.database.db;
    const original = db.transaction.bind(db);
    const stacks: string[] = [];
    const spy = vi.spyOn(db, 'transaction').mockImplementation(((...args: Parameters<typeof original>) => {
      stacks.push(new Error().stack ?? '');
      return original(...args);
    }) as typeof original);
    return {
      from: (frame: string) => stacks.filter((stack) => stack.includes(`at ${frame} (`) || stack.includes(`at async ${frame} (`)).length,
      stop: () => spy.mockRestore(),
    };
  }

  const poll = (token: string, etag: string, waitSeconds: number) =>
    fetch(`${control.url}/v1/agent/bundle?wait=${waitSeconds}`, { headers: { authorization: `Bearer ${token}`, 'if-none-match': etag } }).then(
      async (response) => {
        await response.arrayBuffer();
        return { status: response.status, revision: Number(response.headers.get('x-palisade-revision')) };
      },
    );

  async function untilParked(count: number) {
    const deadline = performance.now() + 60_000;
    while (control.plane.bundleWaiters.parked < count && performance.now() < deadline) await sleep(50);
    expect(control.plane.bundleWaiters.parked).toBe(count);
  }

  it('looks a token that is not yet known up once for all the polls that bring it at once', async () => {
    const token = await createAgentToken(api, key, clusterId);
    const current = await waitForRevision(api, await createAgentToken(api, key, clusterId), 1);
    const counted = countTransactions();
    const answers = await Promise.all(Array.from({ length: FLEET }, () => poll(token, current.etag!, 1)));
    counted.stop();
    expect(answers.map((answer) => answer.status)).toEqual(Array(FLEET).fill(304));
    // Credentials are the one lookup made before a tenant is known (withoutTenant).
    expect(counted.from('withoutTenant')).toBe(1);
  });

  it('parks agents arriving at a watched cluster, and those coming back after a write, with no transaction of theirs', async () => {
    const token = await createAgentToken(api, key, clusterId);
    const current = await waitForRevision(api, token, 1);
    const first = poll(token, current.etag!, 60);
    await untilParked(1);
    const counted = countTransactions();
    const fleet = Array.from({ length: FLEET }, () => poll(token, current.etag!, 60));
    await untilParked(FLEET + 1);
    expect(counted.from('pollBundle')).toBe(0);

    await createPolicy(api, key, clusterId);
    const woken = await Promise.all([first, ...fleet]);
    expect(woken.filter((answer) => answer.status !== 200)).toEqual([]);
    expect(new Set(woken.map((answer) => answer.revision))).toEqual(new Set([current.revision + 1]));

    // Back with the revision the write gave them: the watch read it once to wake them all.
    const back = Array.from({ length: FLEET }, () => poll(token, `"r${current.revision + 1}"`, 2));
    await untilParked(FLEET);
    expect(counted.from('pollBundle')).toBe(0);
    counted.stop();
    expect((await Promise.all(back)).map((answer) => answer.status)).toEqual(Array(FLEET).fill(304));
  });

  it('gives the newest bundle to agents whose waits ended before the watch read it, however many join that read', async () => {
    // Agents a wake (or a hang-up) settled before their arrival's read came back still take the row
    // from the read in flight; joining it must not make it forget the row for them and read again,
    // which spun the server at full CPU with 10,000 agents (bench: control-plane --only longPoll,fairness).
    const fresh = await createCluster(api, key);
    // Polled without waiting, so nothing watches the cluster yet: the agents' arrival makes the first read.
    const token = await createAgentToken(api, key, fresh.id);
    let revision = 0;
    while (revision === 0) {
      const answer = await api.get('/v1/agent/bundle?wait=0', { key: token });
      if (answer.status === 200) revision = Number(answer.headers.get('x-palisade-revision'));
      else await sleep(100);
    }
    const agents = Array.from(
      { length: FLEET },
      () => control.plane.bundleWaiters.park({ tenantId, clusterId: fresh.id, knownRevision: 0 }, 60_000, new AbortController().signal)!,
    );
    for (const agent of agents) agent.cancel();
    const rows = await Promise.all(agents.map((agent) => agent.latest()));
    expect(new Set(rows.map((row) => row?.revision))).toEqual(new Set([revision]));
  });
});
