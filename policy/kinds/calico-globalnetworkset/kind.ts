import { CALICO_API_VERSION } from '../calico/api-version.ts';
import { defineNetworkSetKind } from '../define.ts';
import { applyGlobalNetworkSetDefaults } from './defaults.ts';
import { normaliseGlobalNetworkSet } from './normalise.ts';
import { GLOBAL_NETWORK_SET_KIND, globalNetworkSetSchema } from './schema.ts';

export const globalNetworkSetKind = defineNetworkSetKind({
  apiVersion: CALICO_API_VERSION,
  kind: GLOBAL_NETWORK_SET_KIND,
  schema: globalNetworkSetSchema,
  toStored: applyGlobalNetworkSetDefaults,
  normalise: normaliseGlobalNetworkSet,
});
