import { CALICO_API_VERSION } from '../calico/api-version.ts';
import { hostBitsWarnings } from '../calico/nets.ts';
import { NETWORK_SET_NET_SPELLING } from '../calico/network-set.ts';
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
  warnings: (set) => hostBitsWarnings(set.spec?.nets, ['spec', 'nets'], NETWORK_SET_NET_SPELLING),
});
