// The GET form of a Tier: defaultAction filled in (Deny, Calico's default; Pass for the two admin
// tiers, as Calico creates them).

import { canonicalTierName } from '../../ir.ts';
import { CALICO_API_VERSION } from '../calico/api-version.ts';
import { type StoredClusterObjectMeta, toStoredClusterObjectMeta } from '../shared/object-meta.ts';
import { PASSING_BUILT_IN_TIERS, TIER_KIND, type TierInput } from './schema.ts';

export interface DefaultedTier {
  apiVersion: typeof CALICO_API_VERSION;
  kind: typeof TIER_KIND;
  metadata: StoredClusterObjectMeta;
  spec: { order?: number; defaultAction: 'Deny' | 'Pass' };
}

export function applyTierDefaults(tier: TierInput): DefaultedTier {
  const defaultAction = tier.spec?.defaultAction ?? (PASSING_BUILT_IN_TIERS.includes(canonicalTierName(tier.metadata.name)) ? 'Pass' : 'Deny');
  return {
    apiVersion: CALICO_API_VERSION,
    kind: TIER_KIND,
    metadata: toStoredClusterObjectMeta(tier.metadata),
    spec: { ...(tier.spec?.order !== undefined && { order: tier.spec.order }), defaultAction },
  };
}
