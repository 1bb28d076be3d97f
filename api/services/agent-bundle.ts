// The agent's long-poll for its cluster's bundle, after OPA's bundle service: answer at once with a
// revision newer than the one the agent holds, or wait (woken by the builder's NOTIFY) until one
// appears or the wait ends. A polling agent is also the sign of a connected cluster.
import { desc, eq, sql } from 'drizzle-orm';
import { agentTokens, bundles, clusters } from '../../db/schema/index.ts';
import type { BundleWaiters } from './bundle-waiters.ts';
import { type AgentContext, asAgent } from './context.ts';

export type BundleRow = typeof bundles.$inferSelect;

export type BundlePoll = { newer: true; bundle: BundleRow } | { newer: false; revision: number };

export interface BundlePollInput {
  /** The revision the agent holds (0 for none). */
  knownRevision: number;
  waitMs: number;
  /** Ends the wait when the agent goes away. */
  signal: AbortSignal;
}

export async function pollBundle(ctx: AgentContext, waiters: BundleWaiters, input: BundlePollInput): Promise<BundlePoll> {
  const deadline = Date.now() + input.waitMs;
  await markConnected(ctx);
  for (;;) {
    const [latest] = await asAgent(ctx, (tx) =>
      tx.select().from(bundles).where(eq(bundles.clusterId, ctx.agent.clusterId)).orderBy(desc(bundles.revision)).limit(1),
    );
    if (latest && latest.revision > input.knownRevision) return { newer: true, bundle: latest };
    const remaining = deadline - Date.now();
    if (remaining <= 0 || input.signal.aborted || waiters.closed) return { newer: false, revision: latest?.revision ?? input.knownRevision };
    await waiters.wait(ctx.agent.clusterId, remaining, input.signal);
  }
}

/** Stamped at most once a minute per token, so polls stay cheap. */
async function markConnected(ctx: AgentContext): Promise<void> {
  await asAgent(ctx, async (tx) => {
    const stamped = await tx
      .update(agentTokens)
      .set({ lastUsedAt: new Date() })
      .where(sql`${agentTokens.id} = ${ctx.agent.tokenId} and (${agentTokens.lastUsedAt} is null or ${agentTokens.lastUsedAt} < now() - interval '1 minute')`)
      .returning({ id: agentTokens.id });
    if (stamped.length > 0) await tx.update(clusters).set({ status: 'connected' }).where(eq(clusters.id, ctx.agent.clusterId));
  });
}
