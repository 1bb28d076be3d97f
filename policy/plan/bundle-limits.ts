// The plan limits a bundle carries for the agent: the ones only the agent can enforce (rules per
// endpoint need its inventory, bandwidth needs its dataplane) or must check again (CIDRs per set).
import { defaultBurstBytes } from '../bandwidth/burst.ts';
import type { BandwidthLimit, BundleLimits } from '../ir.ts';
import type { PlanLimits } from './limits.ts';

/** The ceiling as a bucket: the plan's rate, the default burst for it (policy/bandwidth/burst.ts). */
export function ceilingLimit(limits: Pick<PlanLimits, 'bandwidthCeilingBitsPerSecond'>): BandwidthLimit {
  const rateBitsPerSecond = limits.bandwidthCeilingBitsPerSecond;
  return { rateBitsPerSecond, burstBytes: defaultBurstBytes(rateBitsPerSecond) };
}

export function bundleLimitsOf(limits: PlanLimits): BundleLimits {
  return {
    rulesPerEndpoint: limits.rulesPerEndpoint,
    cidrsPerSet: limits.cidrsPerSet,
    bandwidthCeiling: { ingress: ceilingLimit(limits), egress: ceilingLimit(limits) },
  };
}
