// How much of every plan limit a tenant uses, over everything it stores: what a plan change is
// checked against (tenants.ts), so a downgrade names every limit the stored objects would exceed and
// no stored object is ever over its tenant's limits. One entry per limit the plan carries; `where`
// names the object (or pod) that uses the most, so the owner knows what to shrink.
import { count, isNull, max } from 'drizzle-orm';
import type { Tx } from '../../db/index.ts';
import { clusters, policies } from '../../db/schema/index.ts';
import { maxRulesPerEndpoint } from '../../policy/plan/endpoint-rules.ts';
import type { LimitName, PlanLimits } from '../../policy/plan/limits.ts';
import { writtenTermsOf } from '../../policy/plan/written-terms.ts';
import { policySetFromResources } from '../../policy/policy-set-from-objects.ts';
import { storedObjects } from './policies/cluster-objects.ts';
import { reportedInventory } from './policies/endpoint-rules.ts';

export interface LimitUsage {
  usage: number;
  /** The object or pod using the most, when the limit applies to one thing at a time. */
  where?: string;
}

/**
 * The limits stored objects use up. Flow retention and the per-minute flow intake bound data as it
 * arrives, so a plan with less of either simply keeps or takes less from then on.
 */
type StoredLimit = Exclude<LimitName, 'flowRetentionHours' | 'flowRowsPerAgentMinute'>;

export type PlanUsage = Record<StoredLimit, LimitUsage>;

/** Keeps the larger usage of two. */
function larger(current: LimitUsage, usage: number, where: string): LimitUsage {
  return usage > current.usage ? { usage, where } : current;
}

/**
 * Every limit's usage in the caller's tenant (the transaction runs as it, so row-level security keeps
 * the counts to its rows). Rules per endpoint is the larger of what any policy asks for as written and
 * what any pod evaluates over its cluster's last reported inventory, as the write path checks it.
 */
export async function planUsageOf(tx: Tx): Promise<PlanUsage> {
  const [clusterCount] = await tx.select({ n: count() }).from(clusters).where(isNull(clusters.deletedAt));
  const [policyCount] = await tx.select({ n: count(), largestRules: max(policies.ruleCount) }).from(policies);
  const usage: PlanUsage = {
    clusters: { usage: clusterCount!.n },
    policies: { usage: policyCount!.n },
    rulesPerPolicy: { usage: policyCount!.largestRules ?? 0 },
    rulesPerEndpoint: { usage: 0 },
    cidrsPerSet: { usage: 0 },
    bandwidthCeilingBitsPerSecond: { usage: 0 },
  };
  const live = await tx.select({ id: clusters.id, name: clusters.name }).from(clusters).where(isNull(clusters.deletedAt));
  for (const cluster of live) {
    const objects = await storedObjects(tx, cluster.id);
    for (const [identity, resource] of objects) {
      const [, kind, namespace, name] = JSON.parse(identity) as [string, string, string, string];
      const named = `${kind} ${namespace ? `${namespace}/` : ''}${name} in cluster ${cluster.name}`;
      switch (resource.type) {
        case 'policy':
          usage.rulesPerEndpoint = larger(usage.rulesPerEndpoint, writtenTermsOf(resource.policy).terms, named);
          break;
        case 'networkSet':
          usage.cidrsPerSet = larger(usage.cidrsPerSet, resource.networkSet.nets.length, named);
          break;
        case 'bandwidthPolicy':
          for (const direction of ['ingress', 'egress'] as const) {
            const rate = resource.bandwidthPolicy[direction]?.rateBitsPerSecond ?? 0;
            usage.bandwidthCeilingBitsPerSecond = larger(usage.bandwidthCeilingBitsPerSecond, rate, `${named} (${direction})`);
          }
          break;
        case 'tier':
        case 'hostEndpoint':
          break;
      }
    }
    const inventory = await reportedInventory(tx, cluster.id);
    if (!inventory) continue;
    const evaluated = maxRulesPerEndpoint(policySetFromResources([...objects.values()]), inventory);
    usage.rulesPerEndpoint = larger(usage.rulesPerEndpoint, evaluated.rules, `pod ${evaluated.endpoint} (${evaluated.direction}) in cluster ${cluster.name}`);
  }
  return usage;
}

export interface ExceededLimit {
  limit: StoredLimit;
  usage: number;
  allowed: number;
  where?: string;
}

/** The limits `limits` sets that `usage` is over, in the plan's order. */
export function exceededLimits(usage: PlanUsage, limits: PlanLimits): ExceededLimit[] {
  return (Object.keys(usage) as StoredLimit[]).flatMap((limit) => {
    const { usage: used, where } = usage[limit];
    return used > limits[limit] ? [{ limit, usage: used, allowed: limits[limit], ...(where !== undefined && { where }) }] : [];
  });
}
