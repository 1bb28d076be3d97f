import { CALICO_API_VERSION } from '../calico/api-version.ts';
import { hostBitsWarnings } from '../calico/nets.ts';
import { NETWORK_SET_NET_SPELLING } from '../calico/network-set.ts';
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
  warnings: (set) => hostBitsWarnings(set.spec?.nets, ['spec', 'nets'], NETWORK_SET_NET_SPELLING),
});
