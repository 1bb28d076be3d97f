// Whether one pod can open a connection to another under a policy set, by the reference evaluator.
// A connection needs both ends to agree (../../shared/DESIGN.md, "Policy semantics"; Kubernetes
// NetworkPolicy: "both the egress policy on the source pod and the ingress policy on the
// destination pod need to allow the connection"): the client's egress, with the server's address
// as remote, and the server's ingress, with the client's address as remote.
//
// A pod talking to itself is allowed whatever the policy: "a pod cannot block access to itself"
// (Kubernetes' NetworkPolicy docs), and the traffic never leaves the pod's network namespace, so it
// never crosses the veth the dataplane enforces on. No tier is consulted, so both traces are empty.

import { type Endpoint, type EndpointKey, endpointKey, type Inventory } from '../inventory.ts';
import type { PolicySet, Protocol } from '../ir.ts';
import { type Evaluation, evaluate } from './evaluate.ts';
import { resolveEndpointPolicies } from './resolve.ts';

export interface Reachability {
  allowed: boolean;
  /** The client's egress evaluation. */
  egress: Evaluation;
  /** The server's ingress evaluation. */
  ingress: Evaluation;
  /** Present when client and server are one pod: allowed without evaluating policy. */
  sameEndpoint?: true;
}

const UNEVALUATED: Evaluation = { verdict: 'allow', trace: [] };

export interface ReachableOptions {
  /** Address family of the connection; 4 unless given. Each end uses its first address of it. */
  family?: 4 | 6;
}

function addressOf(endpoint: Endpoint, family: 4 | 6, key: EndpointKey): string {
  const address = (family === 4 ? endpoint.ipv4 : endpoint.ipv6)[0];
  if (address === undefined) throw new Error(`endpoint ${key} has no IPv${family} address`);
  return address;
}

export function reachable(
  inventory: Inventory,
  policySet: PolicySet,
  from: EndpointKey,
  to: EndpointKey,
  port: number,
  protocol: Protocol,
  options: ReachableOptions = {},
): Reachability {
  const family = options.family ?? 4;
  if (from === to) {
    const endpoint = inventory.endpoints.find((e) => endpointKey(e) === from);
    if (!endpoint) throw new Error(`unknown endpoint ${from}`);
    return { allowed: true, egress: UNEVALUATED, ingress: UNEVALUATED, sameEndpoint: true };
  }
  const resolved = resolveEndpointPolicies(policySet, inventory, { endpoints: [from, to] });
  const find = (key: EndpointKey) => {
    const policy = resolved.get(key);
    const endpoint = inventory.endpoints.find((e) => endpointKey(e) === key);
    if (!policy || !endpoint) throw new Error(`unknown endpoint ${key}`);
    return { policy, address: addressOf(endpoint, family, key) };
  };
  const client = find(from);
  const server = find(to);
  const egress = evaluate(client.policy, 'egress', { remoteIp: server.address, protocol, dstPort: port });
  const ingress = evaluate(server.policy, 'ingress', { remoteIp: client.address, protocol, dstPort: port });
  return { allowed: egress.verdict === 'allow' && ingress.verdict === 'allow', egress, ingress };
}
