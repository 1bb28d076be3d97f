import { CALICO_API_VERSION } from '../calico/api-version.ts';
import { defineTierKind } from '../define.ts';
import { applyTierDefaults } from './defaults.ts';
import { normaliseTier } from './normalise.ts';
import { TIER_KIND, tierSchema } from './schema.ts';

export const tierKind = defineTierKind({
  apiVersion: CALICO_API_VERSION,
  kind: TIER_KIND,
  schema: tierSchema,
  toStored: applyTierDefaults,
  normalise: normaliseTier,
});
