// The little shop the console's tests run against: pods of the `shop` namespace as an agent reports
// them, the policy letting frontend reach backend on 8080, and flows into backend as an agent ships them.
import type { FlowLogEntry } from '../../../policy/flow-log.ts';

/** A pod on node-a as the agent's inventory reports it; `ifname` is its host-side interface. */
export const shopEndpoint = (namespace: string, name: string, app: string, ip: string, ifname: string) => ({
  namespace,
  name,
  labels: { app },
  ipv4: [ip],
  ports: [] as { name: string; port: number; protocol: string }[],
  node: 'node-a',
  hostInterface: ifname,
});

export const SHOP_NAMESPACE = { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop' } };

/** shop/frontend, shop/web and shop/backend (which serves http on 8080), with interfaces named `${prefix}0..2`. */
export const shopEndpoints = (prefix: string) => [
  shopEndpoint('shop', 'frontend', 'frontend', '198.18.0.10', `${prefix}0`),
  shopEndpoint('shop', 'web', 'web', '198.18.0.11', `${prefix}1`),
  { ...shopEndpoint('shop', 'backend', 'backend', '198.18.0.12', `${prefix}2`), ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
];

export const ALLOW_FRONTEND = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-frontend
  namespace: shop
spec:
  podSelector:
    matchLabels:
      app: backend
  ingress:
    - from:
        - podSelector:
            matchLabels:
              app: frontend
      ports:
        - port: 8080
`;

/** allow-frontend's default deny: what decides a flow into backend from any pod but frontend. */
export const DENY_BY_DEFAULT = { tier: 'default', policyId: 'NetworkPolicy/shop/allow-frontend', ruleIndex: 'default', action: 'Deny' } as const;

/** A flow that ended now: into shop/backend on TCP 8080, denied by default, unless `overrides` say otherwise. */
export function shopFlow(overrides: Partial<FlowLogEntry>): FlowLogEntry {
  const end = new Date();
  return {
    startTime: new Date(end.getTime() - 15_000).toISOString(),
    endTime: end.toISOString(),
    endpoint: 'shop/backend',
    direction: 'ingress',
    remote: '198.18.0.11',
    protocol: 6,
    port: 8080,
    kind: 'denied',
    rule: DENY_BY_DEFAULT,
    count: 3,
    bytes: 180,
    ...overrides,
  };
}
