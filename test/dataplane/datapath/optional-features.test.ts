// The optional IR features end to end: IR policy -> resolveEndpointPolicies -> program, crafted
// packets through BPF_PROG_TEST_RUN. Each packet's verdict is stated, and must also be what the
// reference evaluator says.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { evaluate, type Packet } from '../../../policy/evaluation/evaluate.ts';
import { resolveEndpointPolicies } from '../../../policy/evaluation/resolve.ts';
import { inventorySchema } from '../../../policy/inventory.ts';
import type { Direction, NetworkSet, Policy, PolicySet, Rule, Selector } from '../../../policy/ir.ts';
import { describeIf, NEEDS_KERNEL_BPF } from '../../support/needs.ts';
import { kernelAvailable } from '../bpf/harness.ts';
import { createDatapath, type Datapath } from './support/harness.ts';
import { icmp, icmpv6, ipPacket, rawTransport, sctp, type Transport, tcp, udp } from './support/packets.ts';

const ALL: Selector = { op: 'all' };
const byLabel = (key: string, value: string): Selector => ({ op: 'eq', key, value });

const POD = '198.18.0.10';
const POD6 = 'fd00::10';
const cluster = inventorySchema.parse({
  namespaces: [{ name: 'x' }, { name: 'y', labels: { team: 'blue' } }],
  endpoints: [
    { namespace: 'x', name: 'web', labels: { app: 'web' }, ipv4: [POD], ipv6: [POD6], hostInterface: 'veth0' },
    {
      namespace: 'x',
      name: 'db',
      labels: { app: 'db' },
      ipv4: ['198.18.0.20'],
      ipv6: ['fd00::20'],
      ports: [{ name: 'sql', port: 5432, protocol: 'TCP' }],
      serviceAccount: { name: 'database', labels: { data: 'sensitive' } },
    },
    { namespace: 'y', name: 'api', labels: { app: 'api' }, ipv4: ['198.18.0.30'], ports: [{ name: 'sql', port: 6432, protocol: 'TCP' }] },
  ],
  nodes: [
    { name: 'cp-1', labels: { role: 'cp' }, addresses: ['10.0.0.1', 'fd10::1'] },
    { name: 'worker-1', labels: { role: 'worker' }, addresses: ['10.0.0.2'] },
  ],
});

const networkSets: NetworkSet[] = [
  { id: 'NetworkSet/y/partners', kind: 'NetworkSet', namespace: 'y', name: 'partners', labels: { role: 'partner' }, nets: ['192.0.2.0/24'] },
  {
    id: 'GlobalNetworkSet/cloud',
    kind: 'GlobalNetworkSet',
    namespace: null,
    name: 'cloud',
    labels: { role: 'partner' },
    nets: ['100.64.0.0/10', '2001:db8::/32'],
  },
];

function policy(id: string, direction: Direction, rules: Rule[], fields: Partial<Policy> = {}): Policy {
  return {
    id,
    kind: 'GlobalNetworkPolicy',
    namespace: null,
    name: id,
    order: 0,
    staged: false,
    subject: { namespaceSelector: ALL, podSelector: byLabel('app', 'web') },
    directions: [direction],
    ingress: direction === 'ingress' ? rules : [],
    egress: direction === 'egress' ? rules : [],
    ...fields,
  };
}

const rule = (action: Rule['action'], fields: Partial<Rule> = {}): Rule => ({ action, ports: [], peers: [], ...fields });
const single = (...policies: Policy[]): PolicySet => ({ tiers: [{ name: 't', order: 100, defaultAction: 'Deny', policies }], networkSets });

let nextPort = 40000;
/** A crafted packet for an evaluator Packet; the pod is the local end, a fresh source port keeps flows new. */
function bytesOf(direction: Direction, packet: Packet): Buffer {
  const sport = packet.srcPort ?? nextPort++;
  const l4: Transport =
    typeof packet.protocol === 'number'
      ? rawTransport(packet.protocol)
      : {
          TCP: () => tcp(sport, packet.dstPort!),
          UDP: () => udp(sport, packet.dstPort!),
          SCTP: () => sctp(sport, packet.dstPort!),
          ICMP: () => icmp(packet.icmpType!, nextPort++, packet.icmpCode ?? 0),
          ICMPv6: () => icmpv6(packet.icmpType!, nextPort++, packet.icmpCode ?? 0),
        }[packet.protocol]();
  const local = packet.remoteIp.includes(':') ? POD6 : POD;
  // a fresh source port keeps port protocols' flows new; ICMP other than echo is tracked by
  // addresses only, so those cases use a remote address each
  return direction === 'ingress' ? ipPacket(packet.remoteIp, local, l4) : ipPacket(local, packet.remoteIp, l4);
}

type Case = [what: string, packet: Packet, expected: 'allow' | 'deny'];

describeIf(kernelAvailable(), NEEDS_KERNEL_BPF)('optional IR features in programs', () => {
  let dp: Datapath;
  beforeAll(() => {
    dp = createDatapath();
  });
  afterAll(() => dp?.close());

  function check(set: PolicySet, direction: Direction, cases: Case[], staged?: ('allow' | 'deny')[]) {
    const endpoint = resolveEndpointPolicies(set, cluster).get('x/web')!;
    const program = dp.load(direction, endpoint[direction]);
    cases.forEach(([what, packet, expected], i) => {
      const reference = evaluate(endpoint, direction, packet);
      expect(reference.verdict, `${what} (evaluate)`).toBe(expected);
      const result = dp.run(program, bytesOf(direction, packet));
      expect(result.outcome, what).toBe(expected === 'allow' ? 'allow' : 'drop');
      const final = result.events.filter((e) => e.kind !== 'logged');
      if (staged) {
        expect(reference.stagedVerdict, `${what} (staged, evaluate)`).toBe(staged[i]);
        expect(final[0]?.staged?.verdict, `${what} (staged)`).toBe(staged[i]);
      }
    });
    program.close();
  }

  it('networkSets and peer nets: set nets and pod addresses, restricted to the peer nets', () => {
    const set = single(
      policy('p', 'ingress', [
        rule('Allow', { peers: [{ endpoints: { namespaceSelector: ALL, podSelector: byLabel('role', 'partner') }, networkSets: true }] }),
        rule('Allow', {
          ports: [{ protocol: 'TCP', port: 80 }],
          peers: [{ endpoints: { namespaceSelector: ALL, podSelector: ALL }, networkSets: true, nets: ['198.18.0.16/29', '100.64.0.0/16'] }],
        }),
      ]),
    );
    check(set, 'ingress', [
      ['namespaced set', { remoteIp: '192.0.2.9', protocol: 'UDP', dstPort: 53 }, 'allow'],
      ['global set, IPv6', { remoteIp: '2001:db8:1::1', protocol: 'TCP', dstPort: 22 }, 'allow'],
      ['outside every set', { remoteIp: '203.0.113.1', protocol: 'TCP', dstPort: 80 }, 'deny'],
      ['pod inside the nets', { remoteIp: '198.18.0.20', protocol: 'TCP', dstPort: 80 }, 'allow'],
      ['pod outside the nets', { remoteIp: '198.18.0.30', protocol: 'TCP', dstPort: 80 }, 'deny'],
    ]);
  });

  it('notPeers and notPorts (a named port per destination on egress)', () => {
    const set = single(
      policy('p', 'egress', [
        rule('Allow', {
          ports: [{ protocol: 'TCP' }],
          notPorts: [
            { protocol: 'TCP', name: 'sql' },
            { protocol: 'TCP', port: 22 },
          ],
          notPeers: [{ endpoints: { namespaceSelector: byLabel('team', 'blue'), podSelector: ALL }, networkSets: true }],
        }),
      ]),
    );
    check(set, 'egress', [
      ['db on another port', { remoteIp: '198.18.0.20', protocol: 'TCP', dstPort: 80 }, 'allow'],
      ['db on its sql port', { remoteIp: '198.18.0.20', protocol: 'TCP', dstPort: 5432 }, 'deny'],
      ["db on api's sql port", { remoteIp: '198.18.0.20', protocol: 'TCP', dstPort: 6432 }, 'allow'],
      ['port 22 anywhere', { remoteIp: '203.0.113.1', protocol: 'TCP', dstPort: 22 }, 'deny'],
      ['a pod of namespace y', { remoteIp: '198.18.0.30', protocol: 'TCP', dstPort: 80 }, 'deny'],
      ["namespace y's network set", { remoteIp: '192.0.2.4', protocol: 'TCP', dstPort: 80 }, 'deny'],
      ['elsewhere, IPv6', { remoteIp: '2001:db8::5', protocol: 'TCP', dstPort: 443 }, 'allow'],
      ['UDP: not this rule', { remoteIp: '203.0.113.1', protocol: 'UDP', dstPort: 80 }, 'deny'],
    ]);
  });

  it('protocolNumber, notProtocol, ipVersion', () => {
    const set = single(policy('p', 'ingress', [rule('Allow', { protocolNumber: 47 }), rule('Allow', { ipVersion: 6, notProtocol: 'SCTP' })]));
    check(set, 'ingress', [
      ['GRE', { remoteIp: '203.0.113.1', protocol: 47 }, 'allow'],
      ['protocol 50', { remoteIp: '203.0.113.1', protocol: 50 }, 'deny'],
      ['IPv4 TCP', { remoteIp: '203.0.113.1', protocol: 'TCP', dstPort: 80 }, 'deny'],
      ['IPv6 TCP', { remoteIp: '2001:db8::1', protocol: 'TCP', dstPort: 80 }, 'allow'],
      ['IPv6 SCTP', { remoteIp: '2001:db8::1', protocol: 'SCTP', dstPort: 80 }, 'deny'],
    ]);
  });

  it('icmp type and code, notICMP', () => {
    const set = single(
      policy('p', 'ingress', [
        rule('Deny', { notICMP: { type: 8 }, ports: [{ protocol: 'ICMP' }], icmp: { type: 3 } }),
        rule('Allow', { ports: [{ protocol: 'ICMP' }], icmp: { type: 3, code: 4 } }),
        rule('Allow', { icmp: { type: 128 } }),
        rule('Allow', { ports: [{ protocol: 'ICMPv6' }], notICMP: { type: 1 } }),
      ]),
    );
    // the first rule denies every type 3 message, so the second never allows one (first match decides)
    check(set, 'ingress', [
      ['ICMP unreachable', { remoteIp: '203.0.113.1', protocol: 'ICMP', icmpType: 3, icmpCode: 4 }, 'deny'],
      ['ICMP echo', { remoteIp: '203.0.113.2', protocol: 'ICMP', icmpType: 8, icmpCode: 0 }, 'deny'],
      ['ICMPv6 echo', { remoteIp: '2001:db8::1', protocol: 'ICMPv6', icmpType: 128, icmpCode: 0 }, 'allow'],
      ['ICMPv6 packet too big', { remoteIp: '2001:db8::2', protocol: 'ICMPv6', icmpType: 2, icmpCode: 0 }, 'allow'],
      ['ICMPv6 unreachable', { remoteIp: '2001:db8::3', protocol: 'ICMPv6', icmpType: 1, icmpCode: 3 }, 'deny'],
    ]);
    const codes = single(policy('p', 'ingress', [rule('Allow', { ports: [{ protocol: 'ICMP' }], icmp: { type: 3, code: 4 } })]));
    check(codes, 'ingress', [
      ['type 3 code 4', { remoteIp: '203.0.113.11', protocol: 'ICMP', icmpType: 3, icmpCode: 4 }, 'allow'],
      ['type 3 code 1', { remoteIp: '203.0.113.12', protocol: 'ICMP', icmpType: 3, icmpCode: 1 }, 'deny'],
      ['type 11 code 4', { remoteIp: '203.0.113.13', protocol: 'ICMP', icmpType: 11, icmpCode: 4 }, 'deny'],
    ]);
  });

  it('source ports: numbered, named on the remote source for ingress, and notSrcPorts', () => {
    const set = single(
      policy('p', 'ingress', [
        rule('Allow', {
          ports: [{ protocol: 'UDP', port: 53 }],
          srcPorts: [{ protocol: 'UDP', port: 1000, endPort: 1010 }],
          notSrcPorts: [{ protocol: 'UDP', port: 1005 }],
        }),
        rule('Allow', { srcPorts: [{ protocol: 'TCP', name: 'sql' }] }),
      ]),
    );
    check(set, 'ingress', [
      ['UDP 53 from 1000', { remoteIp: '203.0.113.1', protocol: 'UDP', dstPort: 53, srcPort: 1000 }, 'allow'],
      ['UDP 53 from 1005', { remoteIp: '203.0.113.1', protocol: 'UDP', dstPort: 53, srcPort: 1005 }, 'deny'],
      ['UDP 53 from 1011', { remoteIp: '203.0.113.1', protocol: 'UDP', dstPort: 53, srcPort: 1011 }, 'deny'],
      ['db from its sql port', { remoteIp: '198.18.0.20', protocol: 'TCP', dstPort: 9999, srcPort: 5432 }, 'allow'],
      ["db from api's sql port", { remoteIp: '198.18.0.20', protocol: 'TCP', dstPort: 9999, srcPort: 6432 }, 'deny'],
      ['api from its sql port', { remoteIp: '198.18.0.30', protocol: 'TCP', dstPort: 9999, srcPort: 6432 }, 'allow'],
    ]);
  });

  it('stagedTargets: the staged verdict leaves the replaced (or deleted) policy out', () => {
    const enforced = policy('deny-ssh', 'ingress', [rule('Deny', { ports: [{ protocol: 'TCP', port: 22 }] }), rule('Allow')]);
    const edit = policy('staged-edit', 'ingress', [rule('Deny', { ports: [{ protocol: 'TCP', port: 23 }] }), rule('Allow')], {
      staged: true,
      stagedTarget: 'deny-ssh',
    });
    const cases: Case[] = [
      ['ssh', { remoteIp: '203.0.113.1', protocol: 'TCP', dstPort: 22 }, 'deny'],
      ['telnet', { remoteIp: '203.0.113.1', protocol: 'TCP', dstPort: 23 }, 'allow'],
    ];
    check(single(enforced, edit), 'ingress', cases, ['allow', 'deny']);
    const deletion = policy('staged-delete', 'ingress', [], { staged: true, stagedTarget: 'deny-ssh', directions: [] });
    check(single(enforced, deletion), 'ingress', cases, ['allow', 'allow']);
  });

  it('localPeers: judged for the endpoint (labels, and its own address per family)', () => {
    const set = single(
      policy('p', 'egress', [
        rule('Deny', { localPeers: [{ endpoints: { namespaceSelector: ALL, podSelector: byLabel('app', 'db') } }] }),
        rule('Allow', { ports: [{ protocol: 'TCP' }], localPeers: [{ ipBlock: { cidr: '198.18.0.0/24', except: [] } }] }),
        rule('Allow', { ports: [{ protocol: 'UDP' }], notLocalPeers: [{ endpoints: { namespaceSelector: ALL, podSelector: ALL }, nets: ['198.18.0.0/24'] }] }),
      ]),
    );
    check(set, 'egress', [
      ['TCP over IPv4: the local address is inside', { remoteIp: '203.0.113.1', protocol: 'TCP', dstPort: 80 }, 'allow'],
      ['TCP over IPv6: it is not', { remoteIp: '2001:db8::1', protocol: 'TCP', dstPort: 80 }, 'deny'],
      ['UDP over IPv4: excluded', { remoteIp: '203.0.113.1', protocol: 'UDP', dstPort: 53 }, 'deny'],
      ['UDP over IPv6', { remoteIp: '2001:db8::1', protocol: 'UDP', dstPort: 53 }, 'allow'],
    ]);
  });

  it('serviceAccounts and nodes peers', () => {
    const set = single(
      policy('p', 'egress', [
        rule('Allow', { peers: [{ endpoints: { namespaceSelector: ALL, podSelector: ALL, serviceAccounts: { selector: byLabel('data', 'sensitive') } } }] }),
        rule('Allow', { ports: [{ protocol: 'TCP', port: 6443 }], nodes: [byLabel('role', 'cp')] }),
      ]),
    );
    check(set, 'egress', [
      ['the pod with that service account', { remoteIp: '198.18.0.20', protocol: 'TCP', dstPort: 5432 }, 'allow'],
      ['a pod without it', { remoteIp: '198.18.0.30', protocol: 'TCP', dstPort: 5432 }, 'deny'],
      ['a control-plane node', { remoteIp: '10.0.0.1', protocol: 'TCP', dstPort: 6443 }, 'allow'],
      ['a control-plane node, IPv6', { remoteIp: 'fd10::1', protocol: 'TCP', dstPort: 6443 }, 'allow'],
      ['a worker node', { remoteIp: '10.0.0.2', protocol: 'TCP', dstPort: 6443 }, 'deny'],
    ]);
  });

  it('an ICMP message admitted by type keys conntrack by type and code: other messages are judged by policy', () => {
    const set = single(policy('p', 'ingress', [rule('Allow', { ports: [{ protocol: 'ICMP' }], icmp: { type: 3, code: 4 } })]));
    const program = dp.load('ingress', resolveEndpointPolicies(set, cluster).get('x/web')!.ingress);
    const message = (type: number, code: number) => ipPacket('203.0.113.50', POD, icmp(type, 0, code));
    expect(dp.run(program, message(3, 4)).outcome).toBe('allow');
    expect(dp.run(program, message(3, 4)).outcome).toBe('allow'); // again: conntrack
    expect(dp.run(program, message(11, 0)).outcome).toBe('drop');
    expect(dp.run(program, message(3, 1)).outcome).toBe('drop');
    program.close();
  });
});
