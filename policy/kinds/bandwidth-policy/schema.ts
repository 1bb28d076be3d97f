// policy.palisade.dev/v1alpha1 BandwidthPolicy: palisade's own kind for bandwidth limits, namespaced
// like a NetworkPolicy. It selects pods of its namespace (podSelector, a Kubernetes LabelSelector)
// and limits their traffic per direction with a rate and an optional burst, both Kubernetes
// quantities in the units of Calico's QoS annotations: rates in bits per second, bursts in bits
// (policy/bandwidth/quantity.ts gives the bounds). `scope: Pod` (default) gives every selected pod
// its own bucket; `scope: Namespace` makes the selected pods share one bucket per node.
import { z } from 'zod';
import { BIT_RATE_BOUNDS, BURST_BITS_BOUNDS, parseBoundedQuantity, QUANTITY_FORMAT, type QuantityBounds } from '../../bandwidth/quantity.ts';
import { invalidValue, requiredValue } from '../../validation/field-errors.ts';
import { dns1123SubdomainErrors } from '../../validation/names.ts';
import { addIssue } from '../issues.ts';
import { enumOf } from '../shared/enum.ts';
import { labelSelectorSchema } from '../shared/label-selector.ts';
import { namespacedObjectMetaSchema } from '../shared/object-meta.ts';

export const BANDWIDTH_POLICY_API_VERSION = 'policy.palisade.dev/v1alpha1';
export const BANDWIDTH_POLICY_KIND = 'BandwidthPolicy';
export const BANDWIDTH_SCOPES = ['Pod', 'Namespace'] as const;

/**
 * A quantity as Kubernetes accepts one: a string ("10M") or, as YAML often gives it, a number; kept
 * as a string, the way a Quantity is stored. The refinement says why a value is refused.
 */
function quantitySchema(bounds: QuantityBounds) {
  return z
    .union([z.string(), z.number()], { error: (issue) => (issue.input === undefined ? requiredValue() : invalidValue(issue.input, QUANTITY_FORMAT)) })
    .transform((value) => String(value))
    .superRefine((text, ctx) => {
      const parsed = parseBoundedQuantity(text, bounds);
      if (!parsed.ok) addIssue(ctx, [], invalidValue(text, parsed.message));
    });
}

export const bandwidthLimitSpecSchema = z.strictObject({
  /** Bits per second, 1k to 1P. */
  rate: quantitySchema(BIT_RATE_BOUNDS),
  /** Bits, 1k to 34359738360; absent: policy/bandwidth/burst.ts defaultBurstBytes. */
  burst: quantitySchema(BURST_BITS_BOUNDS).optional(),
});
export type BandwidthLimitSpec = z.infer<typeof bandwidthLimitSpecSchema>;

export const bandwidthPolicySpecSchema = z
  .strictObject({
    podSelector: labelSelectorSchema,
    scope: enumOf(BANDWIDTH_SCOPES).optional(),
    ingress: bandwidthLimitSpecSchema.optional(),
    egress: bandwidthLimitSpecSchema.optional(),
  })
  .superRefine((spec, ctx) => {
    if (!spec.ingress && !spec.egress) addIssue(ctx, [], requiredValue('must limit ingress, egress or both'));
  });

export const bandwidthPolicySchema = z.strictObject({
  apiVersion: enumOf([BANDWIDTH_POLICY_API_VERSION]),
  kind: enumOf([BANDWIDTH_POLICY_KIND]),
  metadata: namespacedObjectMetaSchema(dns1123SubdomainErrors),
  spec: bandwidthPolicySpecSchema,
});
export type BandwidthPolicyInput = z.infer<typeof bandwidthPolicySchema>;
