// Builders of Calico objects as a user writes them; each test changes only what it is about.
import type { Json } from './factories.ts';

let counter = 0;
const API = 'projectcalico.org/v3';

/** A projectcalico.org/v3 NetworkPolicy in namespace x (default tier) with a fresh name. */
export function calicoPolicy(spec: Json = {}, metadata: Json = {}): Json {
  counter += 1;
  return { apiVersion: API, kind: 'NetworkPolicy', metadata: { name: `cp-${counter}`, namespace: 'x', ...metadata }, spec };
}

/** A Calico NetworkPolicy whose only ingress rule is `rule`. */
export function calicoIngressRule(rule: Json): Json {
  return calicoPolicy({ ingress: [{ action: 'Allow', ...rule }] });
}

export function globalPolicy(spec: Json = {}, metadata: Json = {}): Json {
  counter += 1;
  return { apiVersion: API, kind: 'GlobalNetworkPolicy', metadata: { name: `gnp-${counter}`, ...metadata }, spec };
}

export function tier(name: string, spec: Json = {}): Json {
  return { apiVersion: API, kind: 'Tier', metadata: { name }, spec };
}

export function networkSet(spec: Json, metadata: Json = {}): Json {
  counter += 1;
  return { apiVersion: API, kind: 'NetworkSet', metadata: { name: `ns-${counter}`, namespace: 'x', ...metadata }, spec };
}

export function globalNetworkSet(spec: Json, metadata: Json = {}): Json {
  counter += 1;
  return { apiVersion: API, kind: 'GlobalNetworkSet', metadata: { name: `gns-${counter}`, ...metadata }, spec };
}

export function stagedPolicy(
  kind: 'StagedNetworkPolicy' | 'StagedGlobalNetworkPolicy' | 'StagedKubernetesNetworkPolicy',
  spec: Json,
  metadata: Json = {},
): Json {
  const namespaced = kind !== 'StagedGlobalNetworkPolicy';
  return { apiVersion: API, kind, metadata: { name: 'staged', ...(namespaced && { namespace: 'x' }), ...metadata }, spec };
}
