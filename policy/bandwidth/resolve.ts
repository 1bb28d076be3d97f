// The bundle's bandwidth policies and plan ceiling, with each pod's bandwidth annotations, resolved
// against the inventory into the token buckets of every endpoint and direction (./buckets.ts). Pure.
//
// Per direction, in the order a packet is charged:
// 1. The pod's own bucket: the strictest (lowest rate, then smallest burst) of the limit its
//    annotations set and those of every Pod-scoped BandwidthPolicy selecting it. One bucket, not
//    one per source: each of them promises "this pod at most that", and the strictest keeps them all.
// 2. For each Namespace-scoped BandwidthPolicy selecting it, that policy's bucket for the pod's
//    namespace, shared by every selected pod of the namespace on the node. Several such policies are
//    all kept (by policy id): each promises a limit on the sum of its own selection, and two
//    selections overlap only in part, so no one bucket could keep both promises.
// 3. The tenant's ceiling (the plan's, in the bundle's limits), shared by every endpoint on the node.
// A packet passes when it conforms to every bucket it is charged to.

import { endpointMatches, type IndexedEndpoint, indexInventory } from '../evaluation/inventory-index.ts';
import { endpointsWanted, type ResolveOptions } from '../evaluation/resolve.ts';
import type { EndpointKey, Inventory } from '../inventory.ts';
import type { BandwidthLimit, BandwidthPolicy, Direction, PolicySet } from '../ir.ts';
import { bandwidthFromAnnotations, stricterLimit } from './annotations.ts';
import type { BandwidthBucket, EndpointBandwidth } from './buckets.ts';

export interface BandwidthIssue {
  endpoint: EndpointKey;
  /** The annotation that was ignored. */
  field: string;
  message: string;
}

export interface ResolvedBandwidth {
  endpoints: Map<EndpointKey, EndpointBandwidth>;
  /** Invalid pod annotations, ignored: status reports them so the pod's owner can fix them. */
  issues: BandwidthIssue[];
}

/** The bucket ids ./buckets.ts documents. */
export const bucketIds = {
  pod: (key: EndpointKey, direction: Direction) => `pod/${key}/${direction}`,
  namespace: (policyId: string, namespace: string, direction: Direction) => `namespace/${policyId}/${namespace}/${direction}`,
  tenant: (direction: Direction) => `tenant/${direction}`,
};

type Sourced = BandwidthLimit & { source: string };

function bucket(id: string, limit: Sourced): BandwidthBucket {
  return { id, rateBitsPerSecond: limit.rateBitsPerSecond, burstBytes: limit.burstBytes, source: limit.source };
}

function directionBuckets(
  direction: Direction,
  target: IndexedEndpoint,
  annotated: Sourced | undefined,
  selecting: readonly BandwidthPolicy[],
  ceiling: BandwidthLimit | undefined,
): BandwidthBucket[] {
  const own = selecting
    .filter((policy) => policy.scope === 'Pod')
    .flatMap((policy): Sourced[] => {
      const limit = policy[direction];
      return limit ? [{ ...limit, source: policy.id }] : [];
    });
  const candidates = annotated ? [annotated, ...own] : own;
  const buckets: BandwidthBucket[] = [];
  if (candidates.length > 0) buckets.push(bucket(bucketIds.pod(target.key, direction), candidates.reduce(stricterLimit)));
  for (const policy of selecting) {
    const limit = policy[direction];
    if (policy.scope !== 'Namespace' || !limit) continue;
    buckets.push(bucket(bucketIds.namespace(policy.id, target.endpoint.namespace, direction), { ...limit, source: policy.id }));
  }
  if (ceiling) buckets.push(bucket(bucketIds.tenant(direction), { ...ceiling, source: 'plan' }));
  return buckets;
}

export function resolveEndpointBandwidth(set: PolicySet, inventory: Inventory, options: ResolveOptions = {}): ResolvedBandwidth {
  const index = indexInventory(inventory);
  // The PolicySet lists bandwidth policies by id already; Namespace buckets come in that order.
  const policies = set.bandwidthPolicies ?? [];
  const ceiling = set.limits?.bandwidthCeiling;
  const endpoints = new Map<EndpointKey, EndpointBandwidth>();
  const issues: BandwidthIssue[] = [];
  for (const target of index.endpoints.filter(endpointsWanted(options))) {
    const annotations = bandwidthFromAnnotations(target.endpoint.annotations);
    for (const issue of annotations.issues) issues.push({ endpoint: target.key, field: issue.annotation, message: issue.message });
    const selecting = policies.filter((policy) => endpointMatches(policy.subject, target));
    endpoints.set(target.key, {
      ingress: directionBuckets('ingress', target, annotations.ingress, selecting, ceiling?.ingress),
      egress: directionBuckets('egress', target, annotations.egress, selecting, ceiling?.egress),
    });
  }
  return { endpoints, issues };
}
