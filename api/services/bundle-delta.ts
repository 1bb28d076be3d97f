// The delta a long-polling agent may ask for instead of the full bundle (policy/bundle/delta.ts):
// read the base revision it holds (still in the cluster's history, or no delta) and diff once per
// pair of revisions, since a revision wakes every agent of the cluster holding the same base.
import { and, eq } from 'drizzle-orm';
import { bundles } from '../../db/schema/index.ts';
import { diffBundles } from '../../policy/bundle/delta.ts';
import type { BundleRow } from './bundle-waiters.ts';
import { type AgentContext, asAgent } from './context.ts';

export interface DeltaBody {
  /** The delta document as sent (JSON), and its key for the encoded-body cache. */
  json: string;
  key: string;
}

export function createBundleDeltas(capacity = 64) {
  const diffs = new Map<string, Promise<DeltaBody | undefined>>();

  async function diff(ctx: AgentContext, baseRevision: number, target: BundleRow, key: string): Promise<DeltaBody | undefined> {
    const [base] = await asAgent(ctx, (tx) =>
      tx
        .select({ revision: bundles.revision, jws: bundles.jws })
        .from(bundles)
        .where(and(eq(bundles.clusterId, ctx.agent.clusterId), eq(bundles.revision, baseRevision))),
    );
    return base && { json: JSON.stringify(diffBundles(base, target)), key };
  }

  return {
    /** The delta from `baseRevision` to `target`, or undefined when the base is gone (pruned) or not older. */
    get(ctx: AgentContext, baseRevision: number, target: BundleRow): Promise<DeltaBody | undefined> {
      if (baseRevision <= 0 || baseRevision >= target.revision) return Promise.resolve(undefined);
      // A cluster's revisions are immutable bundles (one per revision), so cluster, base revision and
      // target digest name one delta: the agents woken together share one read of the base and one diff.
      const key = `delta:${ctx.agent.clusterId}:${baseRevision}:${target.sha256}`;
      const cached = diffs.get(key);
      if (cached) return cached;
      const body = diff(ctx, baseRevision, target, key);
      diffs.set(key, body);
      // A failed read is not kept: the next asker tries again.
      body.catch(() => diffs.delete(key));
      if (diffs.size > capacity) diffs.delete(diffs.keys().next().value as string);
      return body;
    },
  };
}
