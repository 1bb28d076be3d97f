// projectcalico.org/v3 Tier (docs "Tier", validateTier): cluster-scoped; its name is a DNS-1123 label
// (at most 63 characters: it prefixes policy names and must fit in a label value); `order` ascending,
// absent = last; `defaultAction` Deny (default) or Pass. The built-in tiers keep their fixed orders
// ("default tier order must be 1000000"), and the two admin tiers pass what they do not decide, as
// the AdminNetworkPolicy API requires, so a Deny there is refused. `kube-admin` and `kube-baseline`,
// the names newer Calico releases use, are those two tiers (ir.ts TIER_NAME_ALIASES).
import { z } from 'zod';
import { canonicalTierName, TIER_ORDER } from '../../ir.ts';
import { forbidden, invalidValue, requiredValue } from '../../validation/field-errors.ts';
import { dns1123LabelErrors } from '../../validation/names.ts';
import { CALICO_API_VERSION } from '../calico/api-version.ts';
import { addIssue } from '../issues.ts';
import { enumOf } from '../shared/enum.ts';
import { clusterObjectMetaSchema } from '../shared/object-meta.ts';

export const TIER_KIND = 'Tier';
export const TIER_DEFAULT_ACTIONS = ['Deny', 'Pass'] as const;

/** Built-in tiers whose unmatched traffic passes on (DESIGN.md "Policy semantics"). */
export const PASSING_BUILT_IN_TIERS: readonly string[] = ['adminnetworkpolicy', 'baselineadminnetworkpolicy'];

export const tierSpecSchema = z.strictObject({
  order: z.number().optional(),
  defaultAction: enumOf(TIER_DEFAULT_ACTIONS).optional(),
});

function isBuiltIn(name: string): name is keyof typeof TIER_ORDER {
  return Object.hasOwn(TIER_ORDER, name);
}

export const tierSchema = z
  .strictObject({
    apiVersion: enumOf([CALICO_API_VERSION]),
    kind: enumOf([TIER_KIND]),
    metadata: clusterObjectMetaSchema(dns1123LabelErrors),
    spec: tierSpecSchema.optional(),
  })
  .superRefine((tier, ctx) => {
    const written = tier.metadata.name;
    const name = canonicalTierName(written);
    if (!isBuiltIn(name)) return;
    const fixed = TIER_ORDER[name];
    const order = tier.spec?.order;
    if (order === undefined) addIssue(ctx, ['spec', 'order'], requiredValue(`the ${written} tier's order is ${fixed}`));
    else if (order !== fixed) addIssue(ctx, ['spec', 'order'], invalidValue(order, `the ${written} tier's order must be ${fixed}`));
    if (PASSING_BUILT_IN_TIERS.includes(name) && tier.spec?.defaultAction === 'Deny') {
      addIssue(ctx, ['spec', 'defaultAction'], forbidden(`the ${written} tier passes traffic its policies do not decide`));
    }
  });
export type TierInput = z.infer<typeof tierSchema>;
