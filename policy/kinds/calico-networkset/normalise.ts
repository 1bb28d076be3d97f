import type { NetworkSet } from '../../ir.ts';
import { networkSetIr } from '../calico/network-set.ts';
import type { DefaultedNetworkSet } from './defaults.ts';

export function normaliseNetworkSet(set: DefaultedNetworkSet): NetworkSet {
  const { name, namespace, labels } = set.metadata;
  return networkSetIr({ id: `NetworkSet/${namespace}/${name}`, kind: 'NetworkSet', namespace, name }, labels, set.spec);
}
