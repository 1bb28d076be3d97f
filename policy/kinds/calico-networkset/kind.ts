import { CALICO_API_VERSION } from '../calico/api-version.ts';
import { defineNetworkSetKind } from '../define.ts';
import { applyNetworkSetDefaults } from './defaults.ts';
import { normaliseNetworkSet } from './normalise.ts';
import { NETWORK_SET_KIND, networkSetSchema } from './schema.ts';

export const networkSetKind = defineNetworkSetKind({
  apiVersion: CALICO_API_VERSION,
  kind: NETWORK_SET_KIND,
  schema: networkSetSchema,
  toStored: applyNetworkSetDefaults,
  normalise: normaliseNetworkSet,
});
