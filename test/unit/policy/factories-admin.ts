// Builders of the Kubernetes network-policy-api kinds as a user writes them.
import type { Json } from './factories.ts';

let counter = 0;

/** An AdminNetworkPolicy selecting every namespace, at priority 10, with a fresh name. */
export function adminPolicy(spec: Json = {}, metadata: Json = {}): Json {
  counter += 1;
  return {
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind: 'AdminNetworkPolicy',
    metadata: { name: `anp-${counter}`, ...metadata },
    spec: { priority: 10, subject: { namespaces: {} }, ...spec },
  };
}

export function baselinePolicy(spec: Json = {}, metadata: Json = {}): Json {
  return {
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind: 'BaselineAdminNetworkPolicy',
    metadata: { name: 'default', ...metadata },
    spec: { subject: { namespaces: {} }, ...spec },
  };
}

export function clusterPolicy(spec: Json = {}, metadata: Json = {}): Json {
  counter += 1;
  return {
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    metadata: { name: `cnp-${counter}`, ...metadata },
    spec: { tier: 'Admin', priority: 10, subject: { namespaces: {} }, ...spec },
  };
}
