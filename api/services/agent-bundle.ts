// The agent's long-poll for its cluster's bundle, after OPA's bundle service: answer at once with a
// revision newer than the one the agent holds, or park (bundle-waiters.ts hands every parked agent of
// the cluster the one bundle it reads per notification) until one appears or the wait ends. A polling
// agent is also the sign of a connected cluster.
import { eq, sql } from 'drizzle-orm';
import type { Tx } from '../../db/index.ts';
import { agentTokens, clusters } from '../../db/schema/index.ts';
import { type BundleRow, type BundleWaiters, latestBundle } from './bundle-waiters.ts';
import { type AgentCaller, type AgentContext, asAgent } from './context.ts';

export type BundlePoll = { newer: true; bundle: BundleRow } | { newer: false; revision: number };

export interface BundlePollInput {
  /** The revision the agent holds (0 for none). */
  knownRevision: number;
  waitMs: number;
  /** Ends the wait when the agent goes away. */
  signal: AbortSignal;
}

export async function pollBundle(ctx: AgentContext, waiters: BundleWaiters, input: BundlePollInput): Promise<BundlePoll> {
  const { tenantId, clusterId } = ctx.agent;
  // Parked before the read, so a bundle announced while the read runs still wakes this agent.
  const parked =
    input.waitMs > 0 && !waiters.closed ? waiters.park({ tenantId, clusterId, knownRevision: input.knownRevision }, input.waitMs, input.signal) : undefined;
  const latest = await asAgent(ctx, async (tx) => {
    await markConnected(tx, ctx.agent);
    return latestBundle(tx, clusterId);
  }).catch((error: unknown) => {
    parked?.cancel();
    throw error;
  });
  if (latest && latest.revision > input.knownRevision) {
    parked?.cancel();
    return { newer: true, bundle: latest };
  }
  const woken = await parked?.bundle;
  if (woken) return { newer: true, bundle: woken };
  return { newer: false, revision: latest?.revision ?? input.knownRevision };
}

/** Stamped at most once a minute per token, so polls stay cheap. */
async function markConnected(tx: Tx, agent: AgentCaller): Promise<void> {
  const stamped = await tx
    .update(agentTokens)
    .set({ lastUsedAt: new Date() })
    .where(sql`${agentTokens.id} = ${agent.tokenId} and (${agentTokens.lastUsedAt} is null or ${agentTokens.lastUsedAt} < now() - interval '1 minute')`)
    .returning({ id: agentTokens.id });
  if (stamped.length > 0) await tx.update(clusters).set({ status: 'connected' }).where(eq(clusters.id, agent.clusterId));
}
