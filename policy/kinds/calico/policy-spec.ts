// The spec fields Calico's NetworkPolicy and GlobalNetworkPolicy share (and their staged variants),
// with the checks of validateNetworkPolicySpec / validateGlobalNetworkPolicySpec
// (libcalico-go lib/validator/v3/validator.go).
import { z } from 'zod';
import { duplicateValue, forbidden, invalidValue } from '../../validation/field-errors.ts';
import { dns1123LabelErrors } from '../../validation/names.ts';
import { addIssue } from '../issues.ts';
import { enumOf } from '../shared/enum.ts';
import { calicoRuleSchema } from './rule.ts';
import { calicoSelectorSchema } from './selector-field.ts';

export const CALICO_POLICY_TYPES = ['Ingress', 'Egress'] as const;
export type CalicoPolicyType = (typeof CALICO_POLICY_TYPES)[number];
export const PERFORMANCE_HINTS = ['AssumeNeededOnEveryNode'] as const;
export type PerformanceHint = (typeof PERFORMANCE_HINTS)[number];

/**
 * Tiers that hold the Kubernetes admin kinds (AdminNetworkPolicy, BaselineAdminNetworkPolicy,
 * ClusterNetworkPolicy). Calico policies are kept out of them so each has one source.
 */
export const RESERVED_TIERS = ['adminnetworkpolicy', 'baselineadminnetworkpolicy', 'kube-admin', 'kube-baseline'] as const;

/** "'Ingress' type specified more than once" in Calico. */
export const calicoPolicyTypesSchema = z.array(enumOf(CALICO_POLICY_TYPES)).superRefine((types, ctx) => {
  types.forEach((type, i) => {
    if (types.indexOf(type) !== i) addIssue(ctx, [i], duplicateValue(type));
  });
});

/** A tier name is a DNS-1123 label: it becomes part of policy names (Calico tierNameRegex). */
export const tierReferenceSchema = z.string().superRefine((tier, ctx) => {
  for (const detail of dns1123LabelErrors(tier)) addIssue(ctx, [], invalidValue(tier, detail));
  if ((RESERVED_TIERS as readonly string[]).includes(tier)) {
    addIssue(ctx, [], forbidden(`tier ${JSON.stringify(tier)} holds the Kubernetes admin network policy kinds only`));
  }
});

export const calicoPolicySpecShape = {
  order: z.number().optional(),
  tier: tierReferenceSchema.optional(),
  selector: calicoSelectorSchema('labels').optional(),
  types: calicoPolicyTypesSchema.optional(),
  ingress: z.array(calicoRuleSchema).optional(),
  egress: z.array(calicoRuleSchema).optional(),
  serviceAccountSelector: calicoSelectorSchema('labels').optional(),
  performanceHints: z.array(enumOf(PERFORMANCE_HINTS)).optional(),
};

/** GlobalNetworkPolicy adds a namespace selector and the host endpoint options. */
export const calicoGlobalPolicySpecShape = {
  ...calicoPolicySpecShape,
  namespaceSelector: calicoSelectorSchema('namespace').optional(),
  doNotTrack: z.boolean().optional(),
  preDNAT: z.boolean().optional(),
  applyOnForward: z.boolean().optional(),
};

interface HostEndpointOptions {
  egress?: unknown[] | undefined;
  types?: CalicoPolicyType[] | undefined;
  doNotTrack?: boolean | undefined;
  preDNAT?: boolean | undefined;
  applyOnForward?: boolean | undefined;
}

/** validateGlobalNetworkPolicySpec's rules for doNotTrack, preDNAT and applyOnForward. */
export function checkHostEndpointOptions(spec: HostEndpointOptions, ctx: z.RefinementCtx): void {
  if (spec.doNotTrack && spec.preDNAT) addIssue(ctx, ['preDNAT'], forbidden('preDNAT and doNotTrack cannot both be true'));
  if (spec.preDNAT && (spec.egress?.length ?? 0) > 0) addIssue(ctx, ['egress'], forbidden('a preDNAT policy cannot have egress rules'));
  if (spec.preDNAT && spec.types?.includes('Egress')) addIssue(ctx, ['types'], forbidden("a preDNAT policy cannot have the 'Egress' type"));
  if ((spec.doNotTrack || spec.preDNAT) && !spec.applyOnForward) {
    addIssue(ctx, ['applyOnForward'], invalidValue(spec.applyOnForward ?? false, 'must be true when doNotTrack or preDNAT is true'));
  }
}

/**
 * Calico's defaulting of `types` (libcalico-go clientv3, defaultPolicyTypesField): with none given,
 * Egress alone when there are egress rules and no ingress rules, both when there are both, and
 * Ingress otherwise (no rules at all included).
 */
export function defaultCalicoPolicyTypes(spec: {
  types?: CalicoPolicyType[] | undefined;
  ingress?: unknown[] | undefined;
  egress?: unknown[] | undefined;
}): CalicoPolicyType[] {
  if (spec.types && spec.types.length > 0) return [...spec.types];
  const ingress = (spec.ingress?.length ?? 0) > 0;
  const egress = (spec.egress?.length ?? 0) > 0;
  if (!egress) return ['Ingress'];
  return ingress ? ['Ingress', 'Egress'] : ['Egress'];
}
