import { defineBandwidthPolicyKind } from '../define.ts';
import { applyBandwidthPolicyDefaults } from './defaults.ts';
import { normaliseBandwidthPolicy } from './normalise.ts';
import { BANDWIDTH_POLICY_API_VERSION, BANDWIDTH_POLICY_KIND, bandwidthPolicySchema } from './schema.ts';

export const bandwidthPolicyKind = defineBandwidthPolicyKind({
  apiVersion: BANDWIDTH_POLICY_API_VERSION,
  kind: BANDWIDTH_POLICY_KIND,
  schema: bandwidthPolicySchema,
  toStored: applyBandwidthPolicyDefaults,
  normalise: normaliseBandwidthPolicy,
});
