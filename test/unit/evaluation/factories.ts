// Builders for the agent compiler's tests: inventories, NetworkPolicies parsed into the IR the way
// the bundle carries them, and hand-made IR for kinds without a normaliser yet (tiers, Pass, Log,
// staged). Each test states only what it is about.
import { type Endpoint, type Inventory, type InventoryInput, inventorySchema } from '../../../policy/inventory.ts';
import type { Policy, PolicySet, Rule, Selector, Tier } from '../../../policy/ir.ts';
import { parsePolicyObject } from '../../../policy/kinds/index.ts';
import { buildPolicySet } from '../../../policy/policy-set.ts';

type Json = Record<string, unknown>;
type EndpointInput = InventoryInput['endpoints'][number];

/** Ports of the upstream netpol model: TCP and UDP on 80 and 81, named serve-<port>-<tcp|udp>. */
export const SERVE_PORTS: Endpoint['ports'] = [80, 81].flatMap((port) =>
  (['TCP', 'UDP'] as const).map((protocol) => ({ name: `serve-${port}-${protocol.toLowerCase()}`, port, protocol })),
);

let hostCounter = 0;

/** A pod on this node with a fresh IPv4 address unless `ipv4` is given; fields given replace the defaults. */
export function pod(key: string, fields: Partial<EndpointInput> = {}): EndpointInput {
  const [namespace, name] = key.split('/') as [string, string];
  hostCounter += 1;
  return {
    namespace,
    name,
    labels: {},
    ipv4: [`198.18.${hostCounter >> 8}.${hostCounter & 0xff}`],
    ports: SERVE_PORTS,
    hostInterface: `veth${hostCounter}`,
    ...fields,
  };
}

/** Namespaces named in `namespaces` (with extra labels) plus any a pod lives in. */
export function inventory(endpoints: EndpointInput[], namespaces: Record<string, Record<string, string>> = {}): Inventory {
  const names = new Set([...Object.keys(namespaces), ...endpoints.map((e) => e.namespace)]);
  return inventorySchema.parse({
    namespaces: [...names].map((name) => ({ name, labels: { ns: name, ...namespaces[name] } })),
    endpoints,
  });
}

/** A NetworkPolicy in the IR, as parsePolicyObject produces it for the bundle. */
export function networkPolicy(namespace: string, name: string, spec: Json): Policy {
  const parsed = parsePolicyObject({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { namespace, name },
    spec: { podSelector: {}, ...spec },
  });
  if (!parsed.ok) throw new Error(`invalid test policy: ${JSON.stringify(parsed.issues)}`);
  return parsed.ir;
}

export function policySet(...policies: Policy[]): PolicySet {
  return buildPolicySet(policies);
}

export const ALL: Selector = { op: 'all' };

/** An IR policy of any kind; by default it selects every pod and governs the directions it has rules for. */
export function irPolicy(id: string, fields: Partial<Policy> & { ingress?: Rule[]; egress?: Rule[] }): Policy {
  const ingress = fields.ingress ?? [];
  const egress = fields.egress ?? [];
  return {
    id,
    kind: 'GlobalNetworkPolicy',
    namespace: null,
    name: id,
    order: 0,
    staged: false,
    subject: { namespaceSelector: ALL, podSelector: ALL },
    directions: [...(fields.ingress ? (['ingress'] as const) : []), ...(fields.egress ? (['egress'] as const) : [])],
    ...fields,
    ingress,
    egress,
  };
}

export function tier(name: string, order: number, defaultAction: Tier['defaultAction'], policies: Policy[]): Tier {
  return { name, order, defaultAction, policies };
}

/** A rule with the given action, matching everything unless ports or peers are given. */
export function rule(action: Rule['action'], fields: Partial<Rule> = {}): Rule {
  return { action, ports: [], peers: [], ...fields };
}
