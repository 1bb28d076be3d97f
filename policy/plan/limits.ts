// Plan limits: what a tenant may create. Shared by the API (checked at write time) and the agent
// (checked again before compiling, since a bundle is the agent's only input; the ones the agent needs
// travel in the bundle, ./bundle-limits.ts).
import { z } from 'zod';

export const planLimitsSchema = z.strictObject({
  clusters: z.number().int().min(0),
  policies: z.number().int().min(0),
  rulesPerPolicy: z.number().int().min(0),
  /**
   * Rules (match terms after selector, named-port and network-set expansion) one endpoint's longest
   * direction evaluates: what a program costs, which a rules-per-policy limit alone does not bound
   * (one selector can expand to thousands of addresses).
   */
  rulesPerEndpoint: z.number().int().min(1),
  /** CIDRs one NetworkSet or GlobalNetworkSet may hold. */
  cidrsPerSet: z.number().int().min(1),
  /**
   * Per node and per direction: the most the sum of the tenant's pods on one node may send (egress)
   * or receive (ingress), in bits per second. No BandwidthPolicy may ask for more.
   */
  bandwidthCeilingBitsPerSecond: z.number().int().min(1),
  /** How long flow logs are kept, in hours; a worker deletes older rows (workers/flows/expire.ts). */
  flowRetentionHours: z.number().int().min(1),
  /**
   * Flow log rows one node's agent may add per minute. Past it, entries are folded into the rows of
   * the same flow already stored that minute, and what cannot be folded is dropped and counted
   * (api/services/flow-intake.ts), so one noisy node cannot fill the database.
   */
  flowRowsPerAgentMinute: z.number().int().min(1),
});
export type PlanLimits = z.infer<typeof planLimitsSchema>;
export type LimitName = keyof PlanLimits;

export const planNames = ['free', 'team', 'enterprise'] as const;
export type PlanName = (typeof planNames)[number];

const GBIT = 1_000_000_000;

/**
 * Ceilings sized like the node NICs each kind of customer runs (1, 10 and 100 Gbit/s), so a ceiling
 * stops one tenant from taking a shared node's whole link without slowing a tenant that pays for
 * the node. Rules per endpoint: 10,000 is where the map-driven classifier is benchmarked with flat
 * per-packet cost; the free plan stays well below it. Flow retention follows what each kind of customer
 * investigates (yesterday, last week, last month); flow rows per agent minute sit well above what a
 * node's agent ships in normal operation (tens to hundreds of distinct flows per 15 s bucket) and far
 * below the 20,000 a minute its batches could carry.
 */
export const PLANS: Record<PlanName, PlanLimits> = {
  free: {
    clusters: 3,
    policies: 200,
    rulesPerPolicy: 100,
    rulesPerEndpoint: 1_000,
    cidrsPerSet: 1_000,
    bandwidthCeilingBitsPerSecond: 1 * GBIT,
    flowRetentionHours: 24,
    flowRowsPerAgentMinute: 2_000,
  },
  team: {
    clusters: 25,
    policies: 5_000,
    rulesPerPolicy: 1_000,
    rulesPerEndpoint: 10_000,
    cidrsPerSet: 10_000,
    bandwidthCeilingBitsPerSecond: 10 * GBIT,
    flowRetentionHours: 7 * 24,
    flowRowsPerAgentMinute: 5_000,
  },
  enterprise: {
    clusters: 500,
    policies: 100_000,
    rulesPerPolicy: 10_000,
    rulesPerEndpoint: 50_000,
    cidrsPerSet: 100_000,
    bandwidthCeilingBitsPerSecond: 100 * GBIT,
    flowRetentionHours: 30 * 24,
    flowRowsPerAgentMinute: 10_000,
  },
};

function isPlanName(plan: string): plan is PlanName {
  return (planNames as readonly string[]).includes(plan);
}

/**
 * A tenant's limits as stored (copied from its plan at sign-up) with any limit added since then taken
 * from its plan: rows written before a limit existed lack its key until the migration that fills it
 * runs, and a missing limit must not read as "no limit".
 */
export function tenantLimits(plan: string, stored: Partial<PlanLimits>): PlanLimits {
  const defaults = isPlanName(plan) ? PLANS[plan] : PLANS.free;
  return { ...defaults, ...stored };
}
