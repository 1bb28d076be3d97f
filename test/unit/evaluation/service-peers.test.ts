// Rules that match a Kubernetes Service (IR Peer.service, Calico `services`) through the resolver and
// the reference evaluator, from Calico objects as users write them: a destination service is its
// EndpointSlices' addresses on those slices' own ports and protocols; a source service is the
// addresses alone; a Service the inventory does not hold matches nothing; and the match follows
// the inventory as endpoints come and go. A destination service also matches its ClusterIPs on the
// Service's own ports: our programs see a pod's packet before kube-proxy translates the ClusterIP.
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../policy/evaluation/evaluate.ts';
import { reachable } from '../../../policy/evaluation/reachable.ts';
import { resolveEndpointPolicies } from '../../../policy/evaluation/resolve.ts';
import { type Inventory, type InventoryInput, inventorySchema } from '../../../policy/inventory.ts';
import type { PolicySet } from '../../../policy/ir.ts';
import { parsePolicyObject } from '../../../policy/kinds/index.ts';
import { buildPolicySet } from '../../../policy/policy-set.ts';
import { pod } from './factories.ts';

type Services = NonNullable<InventoryInput['services']>;
type Protocol = 'TCP' | 'UDP';

const client = pod('x/client', { ipv4: ['198.18.9.1'], ipv6: ['fd00::1'] });
const bystander = pod('x/bystander', { ipv4: ['198.18.9.2'] });
const coredns1 = pod('kube-system/coredns-1', { ipv4: ['198.18.9.53'], ipv6: ['fd00::53'] });
const coredns2 = pod('kube-system/coredns-2', { ipv4: ['198.18.9.54'] });
const other = pod('kube-system/other', { ipv4: ['198.18.9.99'] });
const server = pod('y/server', { ipv4: ['198.18.9.80'] });

// Two slices with different ports: an address serves only the ports of its own slice.
const KUBE_DNS: Services = [
  {
    namespace: 'kube-system',
    name: 'kube-dns',
    slices: [
      {
        addresses: ['198.18.9.53', 'fd00::53'],
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        ],
      },
      { addresses: ['198.18.9.54'], ports: [{ name: 'metrics', port: 9153, protocol: 'TCP' }] },
    ],
  },
];

function cluster(services: Services | undefined): Inventory {
  const endpoints = [client, bystander, coredns1, coredns2, other, server];
  return inventorySchema.parse({
    namespaces: [...new Set(endpoints.map((e) => e.namespace))].map((name) => ({ name })),
    endpoints,
    ...(services && { services }),
  });
}

function policies(...objects: Record<string, unknown>[]): PolicySet {
  return buildPolicySet(
    objects.map((object) => {
      const parsed = parsePolicyObject(object);
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
      return parsed.ir;
    }),
  );
}

/** A Calico NetworkPolicy on every pod of x whose only egress rule is `rule`. */
const egressOfX = (rule: Record<string, unknown>) =>
  policies({
    apiVersion: 'projectcalico.org/v3',
    kind: 'NetworkPolicy',
    metadata: { name: 'egress', namespace: 'x' },
    spec: { selector: 'all()', types: ['Egress'], egress: [{ action: 'Allow', ...rule }] },
  });

const toKubeDns = egressOfX({ destination: { services: { name: 'kube-dns', namespace: 'kube-system' } } });

const allowed = (inventory: Inventory, set: PolicySet, from: string, to: string, port: number, protocol: Protocol, family: 4 | 6 = 4) =>
  reachable(inventory, set, from, to, port, protocol, { family }).allowed;

/** The egress verdict of `from` for a packet to an address no pod has (a ClusterIP), as the agent sees it before kube-proxy. */
const egressTo = (inventory: Inventory, set: PolicySet, from: string, remoteIp: string, dstPort: number, protocol: Protocol) => {
  const policy = resolveEndpointPolicies(set, inventory, { endpoints: [from] }).get(from)!;
  return evaluate(policy, 'egress', { remoteIp, protocol, dstPort }).verdict;
};

/** The terms x/client's one egress rule to kube-dns resolves to. */
const clientEgressTerms = (inventory: Inventory) =>
  resolveEndpointPolicies(toKubeDns, inventory, { endpoints: ['x/client'] }).get('x/client')!.egress!.tiers[0]!.policies[0]!.rules[0]!.terms;
/** A host address as a resolved term's remote holds it. */
const host = (ip: string) => ({ family: ip.includes(':') ? 6 : 4, cidr: `${ip}/${ip.includes(':') ? 128 : 32}`, except: [] });

describe('a destination service', () => {
  const inventory = cluster(KUBE_DNS);

  it("allows its endpoints on its slices' ports and protocols", () => {
    expect(allowed(inventory, toKubeDns, 'x/client', 'kube-system/coredns-1', 53, 'UDP')).toBe(true);
    expect(allowed(inventory, toKubeDns, 'x/client', 'kube-system/coredns-1', 53, 'TCP')).toBe(true);
    expect(allowed(inventory, toKubeDns, 'x/client', 'kube-system/coredns-2', 9153, 'TCP')).toBe(true);
    expect(allowed(inventory, toKubeDns, 'x/client', 'kube-system/coredns-1', 53, 'UDP', 6)).toBe(true);
  });

  it("pairs each address with its own slice's ports only", () => {
    expect(allowed(inventory, toKubeDns, 'x/client', 'kube-system/coredns-1', 9153, 'TCP')).toBe(false);
    expect(allowed(inventory, toKubeDns, 'x/client', 'kube-system/coredns-2', 53, 'UDP')).toBe(false);
  });

  it('denies other ports of the endpoints, and pods outside the Service on the same ports', () => {
    expect(allowed(inventory, toKubeDns, 'x/client', 'kube-system/coredns-1', 80, 'TCP')).toBe(false);
    expect(allowed(inventory, toKubeDns, 'x/client', 'kube-system/other', 53, 'UDP')).toBe(false);
  });

  it("keeps only the slice ports of the rule's protocol", () => {
    const udpOnly = egressOfX({ protocol: 'UDP', destination: { services: { name: 'kube-dns', namespace: 'kube-system' } } });
    expect(allowed(inventory, udpOnly, 'x/client', 'kube-system/coredns-1', 53, 'UDP')).toBe(true);
    expect(allowed(inventory, udpOnly, 'x/client', 'kube-system/coredns-1', 53, 'TCP')).toBe(false);
    expect(allowed(inventory, udpOnly, 'x/client', 'kube-system/coredns-2', 9153, 'TCP')).toBe(false);
  });

  it('resolves to one term per slice port, each with its slice addresses', () => {
    const terms = clientEgressTerms(inventory);
    expect(terms).toHaveLength(3);
    expect(terms).toEqual(
      expect.arrayContaining([
        { protocol: 'UDP', ports: [{ first: 53, last: 53 }], remote: [host('198.18.9.53'), host('fd00::53')] },
        { protocol: 'TCP', ports: [{ first: 53, last: 53 }], remote: [host('198.18.9.53'), host('fd00::53')] },
        { protocol: 'TCP', ports: [{ first: 9153, last: 9153 }], remote: [host('198.18.9.54')] },
      ]),
    );
  });

  it('matches nothing while the inventory holds no such Service, and follows its endpoints when they change', () => {
    expect(allowed(cluster(undefined), toKubeDns, 'x/client', 'kube-system/coredns-1', 53, 'UDP')).toBe(false);
    const missing = egressOfX({ destination: { services: { name: 'not-there', namespace: 'kube-system' } } });
    expect(allowed(inventory, missing, 'x/client', 'kube-system/coredns-1', 53, 'UDP')).toBe(false);

    const moved = cluster([{ namespace: 'kube-system', name: 'kube-dns', slices: [{ addresses: ['198.18.9.99'], ports: [{ port: 53, protocol: 'UDP' }] }] }]);
    expect(allowed(moved, toKubeDns, 'x/client', 'kube-system/other', 53, 'UDP')).toBe(true);
    expect(allowed(moved, toKubeDns, 'x/client', 'kube-system/coredns-1', 53, 'UDP')).toBe(false);
  });
});

describe("a destination service's ClusterIPs", () => {
  // The Service answers on 53 and on 80, which its endpoints serve as 8080 (targetPort).
  const fronted: Services = [
    {
      namespace: 'kube-system',
      name: 'kube-dns',
      clusterIPs: ['10.96.0.10', 'fd00:96::a'],
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'web', port: 80, protocol: 'TCP' },
      ],
      slices: [
        {
          addresses: ['198.18.9.53'],
          ports: [
            { name: 'dns', port: 53, protocol: 'UDP' },
            { name: 'web', port: 8080, protocol: 'TCP' },
          ],
        },
      ],
    },
    { namespace: 'kube-system', name: 'metrics', clusterIPs: ['10.96.0.20'], ports: [{ port: 80, protocol: 'TCP' }], slices: [] },
  ];
  const inventory = cluster(fronted);

  it('allows every ClusterIP, v4 and v6, on the Service ports and protocols', () => {
    expect(egressTo(inventory, toKubeDns, 'x/client', '10.96.0.10', 53, 'UDP')).toBe('allow');
    expect(egressTo(inventory, toKubeDns, 'x/client', '10.96.0.10', 80, 'TCP')).toBe('allow');
    expect(egressTo(inventory, toKubeDns, 'x/client', 'fd00:96::a', 53, 'UDP')).toBe('allow');
  });

  it("denies a ClusterIP on its endpoints' target port, on another protocol, and another Service's ClusterIP", () => {
    expect(egressTo(inventory, toKubeDns, 'x/client', '10.96.0.10', 8080, 'TCP')).toBe('deny');
    expect(egressTo(inventory, toKubeDns, 'x/client', '10.96.0.10', 53, 'TCP')).toBe('deny');
    expect(egressTo(inventory, toKubeDns, 'x/client', '10.96.0.20', 80, 'TCP')).toBe('deny');
  });

  it('still allows the endpoints on their own ports, not on the Service ports they do not serve', () => {
    expect(allowed(inventory, toKubeDns, 'x/client', 'kube-system/coredns-1', 8080, 'TCP')).toBe(true);
    expect(allowed(inventory, toKubeDns, 'x/client', 'kube-system/coredns-1', 80, 'TCP')).toBe(false);
  });

  it("keeps the rule's protocol for ClusterIPs too", () => {
    const udpOnly = egressOfX({ protocol: 'UDP', destination: { services: { name: 'kube-dns', namespace: 'kube-system' } } });
    expect(egressTo(inventory, udpOnly, 'x/client', '10.96.0.10', 53, 'UDP')).toBe('allow');
    expect(egressTo(inventory, udpOnly, 'x/client', '10.96.0.10', 80, 'TCP')).toBe('deny');
  });

  it('resolves to one term per port with the ClusterIPs beside the endpoints that share it', () => {
    const terms = clientEgressTerms(inventory);
    expect(terms).toHaveLength(3);
    expect(terms).toEqual(
      expect.arrayContaining([
        { protocol: 'UDP', ports: [{ first: 53, last: 53 }], remote: [host('10.96.0.10'), host('198.18.9.53'), host('fd00:96::a')] },
        { protocol: 'TCP', ports: [{ first: 80, last: 80 }], remote: [host('10.96.0.10'), host('fd00:96::a')] },
        { protocol: 'TCP', ports: [{ first: 8080, last: 8080 }], remote: [host('198.18.9.53')] },
      ]),
    );
  });

  it('a headless Service (no ClusterIPs) matches its endpoints only', () => {
    const headless = cluster([{ ...fronted[0]!, clusterIPs: [] }]);
    expect(egressTo(headless, toKubeDns, 'x/client', '10.96.0.10', 53, 'UDP')).toBe('deny');
    expect(allowed(headless, toKubeDns, 'x/client', 'kube-system/coredns-1', 53, 'UDP')).toBe(true);
  });

  it('a source service never matches a ClusterIP', () => {
    const fromDns = policies({
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: { name: 'from-dns', namespace: 'x' },
      spec: { selector: 'all()', types: ['Ingress'], ingress: [{ action: 'Allow', source: { services: { name: 'kube-dns', namespace: 'kube-system' } } }] },
    });
    const policy = resolveEndpointPolicies(fromDns, inventory, { endpoints: ['x/client'] }).get('x/client')!;
    expect(evaluate(policy, 'ingress', { remoteIp: '10.96.0.10', protocol: 'UDP', dstPort: 53 }).verdict).toBe('deny');
    expect(evaluate(policy, 'ingress', { remoteIp: '198.18.9.53', protocol: 'UDP', dstPort: 53 }).verdict).toBe('allow');
  });
});

describe('a source service', () => {
  const clients: Services = [{ namespace: 'x', name: 'clients', slices: [{ addresses: ['198.18.9.1'], ports: [{ port: 9000, protocol: 'TCP' }] }] }];
  const inventory = cluster(clients);
  const fromClients = policies({
    apiVersion: 'projectcalico.org/v3',
    kind: 'NetworkPolicy',
    metadata: { name: 'from-clients', namespace: 'y' },
    spec: {
      selector: 'all()',
      types: ['Ingress'],
      ingress: [{ action: 'Allow', protocol: 'TCP', source: { services: { name: 'clients', namespace: 'x' } }, destination: { ports: [80] } }],
    },
  });

  it("matches the endpoints' addresses on the rule's own ports, never the Service's", () => {
    expect(allowed(inventory, fromClients, 'x/client', 'y/server', 80, 'TCP')).toBe(true);
    expect(allowed(inventory, fromClients, 'x/client', 'y/server', 9000, 'TCP')).toBe(false);
    expect(allowed(inventory, fromClients, 'x/bystander', 'y/server', 80, 'TCP')).toBe(false);
  });
});
