// What Calico's NetworkSet and GlobalNetworkSet share (docs "Network set", "Global network set";
// validateNetworkSet, validateGlobalNetworkSet): labels that rule selectors match, and `nets`, CIDRs
// read as Calico's "cidr" validator reads them (a bare address is a host; bits after the prefix are
// cleared). The label projectcalico.org/namespace is Calico's own and refused.
import { z } from 'zod';
import type { NetworkSet } from '../../ir.ts';
import type { CidrSpelling } from '../../validation/cidr.ts';
import { invalidValue } from '../../validation/field-errors.ts';
import { addIssue } from '../issues.ts';
import { calicoNetSchema, canonicalNet } from './nets.ts';

export const NETWORK_SET_NET_SPELLING: CidrSpelling = { bareAddress: true, clearHostBits: true };
export const CALICO_NAMESPACE_LABEL = 'projectcalico.org/namespace';

export const networkSetSpecSchema = z.strictObject({
  nets: z.array(calicoNetSchema(NETWORK_SET_NET_SPELLING)).optional(),
});
export type NetworkSetSpec = z.infer<typeof networkSetSpecSchema>;

export function checkNetworkSetLabels(object: { metadata: { labels?: Record<string, string> | undefined } }, ctx: z.RefinementCtx): void {
  if (object.metadata.labels && Object.hasOwn(object.metadata.labels, CALICO_NAMESPACE_LABEL)) {
    addIssue(ctx, ['metadata', 'labels', CALICO_NAMESPACE_LABEL], invalidValue(CALICO_NAMESPACE_LABEL, 'is set by Calico and not a valid label name here'));
  }
}

/** Stored spec: nets as written, left out when empty. */
export function storedNetworkSetSpec(spec: NetworkSetSpec | undefined): NetworkSetSpec {
  return spec?.nets && spec.nets.length > 0 ? { nets: [...spec.nets] } : {};
}

/** The IR: canonical nets, sorted and without repeats, since a set's order means nothing. */
export function networkSetIr(
  identity: Pick<NetworkSet, 'id' | 'kind' | 'namespace' | 'name'>,
  labels: Record<string, string> | undefined,
  spec: NetworkSetSpec,
): NetworkSet {
  const nets = [...new Set((spec.nets ?? []).map((net) => canonicalNet(net, NETWORK_SET_NET_SPELLING)))].sort();
  return { ...identity, labels: { ...(labels ?? {}) }, nets };
}
