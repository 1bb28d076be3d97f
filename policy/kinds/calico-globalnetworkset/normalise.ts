import type { NetworkSet } from '../../ir.ts';
import { networkSetIr } from '../calico/network-set.ts';
import type { DefaultedGlobalNetworkSet } from './defaults.ts';

export function normaliseGlobalNetworkSet(set: DefaultedGlobalNetworkSet): NetworkSet {
  const { name, labels } = set.metadata;
  return networkSetIr({ id: `GlobalNetworkSet/${name}`, kind: 'GlobalNetworkSet', namespace: null, name }, labels, set.spec);
}
