// Builders of NetworkPolicy objects as a user writes them; each test changes only what it is about.
let counter = 0;

export type Json = Record<string, unknown>;

/** A minimal valid NetworkPolicy with a fresh name; `spec` fields given replace the defaults. */
export function networkPolicy(spec: Json = {}, metadata: Json = {}): Json {
  counter += 1;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: `policy-${counter}`, namespace: 'x', ...metadata },
    spec: { podSelector: {}, ...spec },
  };
}

/** A policy whose only ingress rule has the given peers and ports. */
export function ingressPolicy(rule: Json): Json {
  return networkPolicy({ ingress: [rule] });
}
