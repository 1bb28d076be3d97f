// When is a change in force? The runner writes policies through the API; the control plane builds
// and signs a bundle asynchronously (outbox -> relay -> builder), deduplicating bursts, and the
// agent long-polls, verifies and applies it. Probing before that is done would test the past.
//
// 1. Which bundle: the builder's bundle content is a pure function of the cluster's stored
//    policies and the tenant's plan limits (contentHashOf(buildPolicySet(IR of each stored
//    manifest, bundleLimitsOf(limits)))), and it builds a new revision exactly when that hash
//    differs from the latest bundle's. So the runner computes the hash of what the API now stores,
//    with the limits GET /v1/tenant reports, and waits for the bundle with that hash: exact,
//    whatever the relay's batching did, and instant when a write changed nothing.
// 2. Applied: the agent's status report (GET /v1/clusters/{id}/agents) names the revision it
//    enforces; wait until it is at least that bundle's, failing fast when the agent reports it
//    cannot apply it or when the agent process has died.
// 3. Inventory changes (relabels) change no revision: the agent reports the hash of the inventory it
//    applied (policy/inventory.ts inventoryHash), and the runner waits for the hash of what it wrote.
import { setTimeout as sleep } from 'node:timers/promises';
import { bundleLimitsOf } from '../../policy/plan/bundle-limits.ts';
import type { PlanLimits } from '../../policy/plan/limits.ts';
import { contentHashOfObjects } from '../../policy/policy-set-from-objects.ts';
import type { AgentStatusRecord, BundleRecord, Explanation, LabApi, PolicyRecord } from './api.ts';
import { RunError } from './errors.ts';

export const POLL_INTERVAL_MS = 50;
export const BUNDLE_TIMEOUT_MS = 30_000;
export const APPLY_TIMEOUT_MS = 30_000;
export const AGENT_READY_TIMEOUT_MS = 60_000;

/** The content hash the builder gives the bundle of these stored policies and plan limits (see 1. above). */
export function expectedContentHash(stored: readonly PolicyRecord[], limits: PlanLimits): string {
  try {
    return contentHashOfObjects(
      stored.map((p) => p.manifest),
      { limits: bundleLimitsOf(limits) },
    );
  } catch (error) {
    throw new RunError('api_failed', `stored objects do not parse: ${(error as Error).message}`);
  }
}

/** Polls `probe` until it returns a value; `check` may throw to stop early (a dead agent). */
async function pollFor<T>(
  probe: () => Promise<T | undefined>,
  opts: { timeoutMs: number; check?: () => void; onTimeout: () => Promise<RunError> | RunError },
): Promise<T> {
  const deadline = performance.now() + opts.timeoutMs;
  for (;;) {
    opts.check?.();
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw await opts.onTimeout();
    await sleep(POLL_INTERVAL_MS);
  }
}

/** The bundle holding the cluster's current policies; undefined when there are none and never were. */
export async function waitForCurrentBundle(api: LabApi, clusterId: string): Promise<BundleRecord | undefined> {
  const stored = await api.listPolicies(clusterId);
  const want = expectedContentHash(stored, await api.planLimits());
  let latest: BundleRecord | undefined;
  const first = await api.latestBundle(clusterId);
  // No bundle and no policy: nothing was ever written, nothing will be built, nothing is enforced.
  if (first === undefined && stored.length === 0) return undefined;
  return pollFor(
    async () => {
      latest = await api.latestBundle(clusterId);
      return latest?.contentHash === want ? latest : undefined;
    },
    {
      timeoutMs: BUNDLE_TIMEOUT_MS,
      onTimeout: () =>
        new RunError(
          'bundle_timeout',
          `no bundle with the stored policies (content hash ${want.slice(0, 12)}) after ${BUNDLE_TIMEOUT_MS} ms; latest is ${
            latest ? `revision ${latest.revision} (${latest.contentHash.slice(0, 12)})` : 'none'
          }`,
        ),
    },
  );
}

export interface AgentWatch {
  clusterId: string;
  nodeName: string;
  /** Throws the agent's exit error if the process is gone. */
  checkAlive(): void;
}

/** The agent's first report (made after `since`, when given: a restarted agent's, not its predecessor's). */
export async function waitForAgentReport(api: LabApi, agent: AgentWatch, since?: Date): Promise<AgentStatusRecord> {
  const fresh = (record: AgentStatusRecord | undefined) => (record && (!since || Date.parse(record.reportedAt) > since.getTime()) ? record : undefined);
  return pollFor(async () => fresh(await api.agentStatus(agent.clusterId, agent.nodeName)), {
    timeoutMs: AGENT_READY_TIMEOUT_MS,
    check: agent.checkAlive,
    onTimeout: () => new RunError('agent_timeout', `the agent on ${agent.nodeName} sent no status report within ${AGENT_READY_TIMEOUT_MS} ms`),
  });
}

/** Waits until the agent reports it applied the inventory with this hash (after a relabel). */
export async function waitForAgentInventory(api: LabApi, agent: AgentWatch, hash: string): Promise<AgentStatusRecord> {
  let last: AgentStatusRecord | undefined;
  return pollFor(
    async () => {
      last = await api.agentStatus(agent.clusterId, agent.nodeName);
      return last?.inventoryHash === hash ? last : undefined;
    },
    {
      timeoutMs: APPLY_TIMEOUT_MS,
      check: agent.checkAlive,
      onTimeout: () =>
        new RunError('agent_timeout', `the agent did not apply the relabelled inventory within ${APPLY_TIMEOUT_MS} ms`, { errors: last?.errors ?? [] }),
    },
  );
}

export async function waitForAgentApplied(api: LabApi, agent: AgentWatch, revision: number): Promise<AgentStatusRecord> {
  let last: AgentStatusRecord | undefined;
  return pollFor(
    async () => {
      last = await api.agentStatus(agent.clusterId, agent.nodeName);
      if (!last) return undefined;
      if ((last.appliedRevision ?? 0) >= revision) return last;
      // The agent said why it does not enforce this revision (refused, compile or load failed):
      // it retries only slowly, so this is the verdict.
      const blocking = last.errors.filter((e) => e.revision === revision);
      if (blocking.length > 0) {
        throw new RunError('agent_failed', `the agent cannot apply revision ${revision}: ${blocking.map((e) => `${e.code}: ${e.message}`).join('; ')}`, {
          errors: last.errors,
        });
      }
      return undefined;
    },
    {
      timeoutMs: APPLY_TIMEOUT_MS,
      check: agent.checkAlive,
      onTimeout: () =>
        new RunError(
          'agent_timeout',
          `the agent did not apply revision ${revision} within ${APPLY_TIMEOUT_MS} ms (it reports revision ${last?.appliedRevision ?? 'none'}${
            last?.errors.length ? `; errors: ${last.errors.map((e) => `${e.code}: ${e.message}`).join('; ')}` : ''
          })`,
          { errors: last?.errors ?? [] },
        ),
    },
  );
}

/**
 * Before explaining a step's probes: the control plane must hold the inventory the agent enforces
 * with (the agent posts it when its hash changes, after applying). Polls an explanation of `probe`
 * until it was made against the inventory with this hash, and returns it.
 */
export async function waitForExplainInventory(
  api: LabApi,
  agent: AgentWatch,
  hash: string,
  probe: { from: string; to: string; port: number; protocol: string },
): Promise<Explanation> {
  let last: Explanation | undefined;
  let lastError: string | undefined;
  return pollFor(
    async () => {
      try {
        last = await api.explain(agent.clusterId, probe);
        lastError = undefined;
      } catch (error) {
        // 409 until the agent's first delivery; anything else is reported if it lasts.
        lastError = (error as Error).message;
        return undefined;
      }
      return last.inventoryHash === hash ? last : undefined;
    },
    {
      timeoutMs: APPLY_TIMEOUT_MS,
      check: agent.checkAlive,
      onTimeout: () =>
        new RunError(
          'agent_timeout',
          `the control plane did not get the agent's inventory ${hash.slice(0, 12)} within ${APPLY_TIMEOUT_MS} ms (it explains with ${
            last ? last.inventoryHash.slice(0, 12) : 'none'
          }${lastError ? `; last answer: ${lastError}` : ''})`,
        ),
    },
  );
}
