// Where the dataplane gets each local endpoint's buckets: the policy side's resolver (bundle's
// BandwidthPolicies, pod annotations, the plan's ceiling), the one call site.
import type { EndpointBandwidth } from '../../../policy/bandwidth/buckets.ts';
import { resolveEndpointBandwidth } from '../../../policy/bandwidth/resolve.ts';
import type { EndpointKey, Inventory } from '../../../policy/inventory.ts';
import type { PolicySet } from '../../../policy/ir.ts';

export interface BandwidthResolution {
  endpoints: Map<EndpointKey, EndpointBandwidth>;
  /** Values the resolver could not use (a bad annotation, ...): reported against the endpoint. */
  issues: { endpoint: EndpointKey; field: string; message: string }[];
}

export type BandwidthResolver = (set: PolicySet, inventory: Inventory) => BandwidthResolution;

export const resolveLocalBandwidth: BandwidthResolver = (set, inventory) => resolveEndpointBandwidth(set, inventory, { endpoints: 'local' });
