import { describe, expect, it } from 'vitest';
import { LAST_ORDER, type Rule } from '../../../policy/ir.ts';
import { calicoIngressRule, calicoPolicy } from './factories-calico.ts';
import { expectStoredIsStable, policyOf, storedOf } from './parse-helpers.ts';

const ns = 'kubernetes.io/metadata.name';
const ownNamespace = { op: 'eq', key: ns, value: 'x' };
const all = { op: 'all' };

function ingressRule(rule: Record<string, unknown>): Rule {
  const [first] = policyOf(calicoIngressRule(rule)).ingress;
  if (!first) throw new Error('no rule');
  return first;
}

describe('Calico NetworkPolicy defaults (the stored form)', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ['no rules', {}, ['Ingress']],
    ['ingress rules only', { ingress: [{ action: 'Allow' }] }, ['Ingress']],
    ['egress rules only', { egress: [{ action: 'Allow' }] }, ['Egress']],
    ['both', { ingress: [{ action: 'Allow' }], egress: [{ action: 'Deny' }] }, ['Ingress', 'Egress']],
    ['given types win', { types: ['Egress'], ingress: [{ action: 'Allow' }] }, ['Egress']],
    ['empty types count as none', { types: [], egress: [{ action: 'Allow' }] }, ['Egress']],
  ])('types with %s', (_, spec, types) => {
    expect((storedOf(calicoPolicy(spec)).spec as { types: string[] }).types).toEqual(types);
  });

  it('fills in the default tier and leaves empty fields out', () => {
    const stored = storedOf(
      calicoPolicy(
        { selector: '', ingress: [{ action: 'Allow', source: {}, destination: { ports: [], selector: '' } }], egress: [] },
        { name: 'p', labels: {} },
      ),
    );
    expect(stored).toEqual({
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: { name: 'p', namespace: 'x' },
      spec: { tier: 'default', types: ['Ingress'], ingress: [{ action: 'Allow' }] },
    });
  });

  it('keeps what was written otherwise, and is stable when applied again', () => {
    const policy = calicoPolicy({
      order: 5,
      selector: 'app == "db"',
      ingress: [
        { action: 'Allow', protocol: 6, source: { nets: ['10.0.0.1'] }, destination: { ports: ['http'] }, metadata: { annotations: { b: '2', a: '1' } } },
      ],
    });
    const stored = storedOf(policy);
    expect(stored.spec).toEqual({
      tier: 'default',
      order: 5,
      selector: 'app == "db"',
      types: ['Ingress'],
      ingress: [
        { action: 'Allow', protocol: 6, source: { nets: ['10.0.0.1'] }, destination: { ports: ['http'] }, metadata: { annotations: { a: '1', b: '2' } } },
      ],
    });
    expectStoredIsStable(policy);
  });
});

describe('a Calico NetworkPolicy in the IR', () => {
  it('is identified as CalicoNetworkPolicy, placed in its tier at its order, last without one', () => {
    expect(policyOf(calicoPolicy({}, { name: 'p' }))).toMatchObject({
      id: 'CalicoNetworkPolicy/x/p',
      kind: 'CalicoNetworkPolicy',
      namespace: 'x',
      name: 'p',
      tier: 'default',
      order: LAST_ORDER,
      staged: false,
    });
    expect(policyOf(calicoPolicy({ tier: 'sec', order: -2.5 }, { name: 'sec.p' }))).toMatchObject({ tier: 'sec', order: -2.5 });
  });

  it('applies to the selected endpoints of its own namespace (all() without a selector)', () => {
    expect(policyOf(calicoPolicy()).subject).toEqual({ namespaceSelector: ownNamespace, podSelector: all });
    expect(policyOf(calicoPolicy({ selector: 'app == "db"', serviceAccountSelector: 'team == "a"' })).subject).toEqual({
      namespaceSelector: ownNamespace,
      podSelector: { op: 'eq', key: 'app', value: 'db' },
      serviceAccounts: { selector: { op: 'eq', key: 'team', value: 'a' } },
    });
  });

  it('governs its types only and ignores rules of another direction', () => {
    const policy = policyOf(calicoPolicy({ types: ['Egress'], ingress: [{ action: 'Allow' }], egress: [{ action: 'Deny' }] }));
    expect(policy.directions).toEqual(['egress']);
    expect(policy.ingress).toEqual([]);
    expect(policy.egress).toEqual([{ action: 'Deny', ports: [], peers: [] }]);
  });

  it('keeps every action, Log and Pass included, in rule order', () => {
    const policy = policyOf(calicoPolicy({ ingress: ['Log', 'Pass', 'Deny', 'Allow'].map((action) => ({ action })) }));
    expect(policy.ingress.map((r) => r.action)).toEqual(['Log', 'Pass', 'Deny', 'Allow']);
  });
});

describe('Calico rules in the IR: protocols and ports', () => {
  it('matches any protocol without one', () => {
    expect(ingressRule({})).toEqual({ action: 'Allow', ports: [], peers: [] });
  });

  it('carries a named protocol on a portless entry, by name or number', () => {
    expect(ingressRule({ protocol: 'UDP' }).ports).toEqual([{ protocol: 'UDP' }]);
    expect(ingressRule({ protocol: 6 }).ports).toEqual([{ protocol: 'TCP' }]);
    expect(ingressRule({ protocol: '58' }).ports).toEqual([{ protocol: 'ICMPv6' }]);
    expect(ingressRule({ protocol: 132 }).ports).toEqual([{ protocol: 'SCTP' }]);
  });

  it('carries a protocol the IR cannot name as protocolNumber', () => {
    expect(ingressRule({ protocol: 47 })).toMatchObject({ ports: [], protocolNumber: 47 });
    expect(ingressRule({ protocol: 'UDPLite' })).toMatchObject({ ports: [], protocolNumber: 136 });
  });

  it('turns destination ports into ports, source ports into srcPorts, each with the protocol', () => {
    const rule = ingressRule({
      protocol: 'TCP',
      source: { ports: ['1024:65535'], notPorts: [2000] },
      destination: { ports: [80, '8000:8080', 'http'], notPorts: ['8081'] },
    });
    expect(rule.ports).toEqual([
      { protocol: 'TCP', port: 80 },
      { protocol: 'TCP', port: 8000, endPort: 8080 },
      { protocol: 'TCP', name: 'http' },
    ]);
    expect(rule.notPorts).toEqual([{ protocol: 'TCP', port: 8081 }]);
    expect(rule.srcPorts).toEqual([{ protocol: 'TCP', port: 1024, endPort: 65535 }]);
    expect(rule.notSrcPorts).toEqual([{ protocol: 'TCP', port: 2000 }]);
  });

  it('keeps only notPorts as the destination condition when only they are given', () => {
    expect(ingressRule({ protocol: 'TCP', destination: { notPorts: [22] } })).toMatchObject({
      ports: [{ protocol: 'TCP' }],
      notPorts: [{ protocol: 'TCP', port: 22 }],
    });
  });

  it('carries notProtocol, ICMP matches and ipVersion', () => {
    expect(ingressRule({ notProtocol: 'TCP' }).notProtocol).toBe('TCP');
    expect(ingressRule({ notProtocol: 99 }).notProtocolNumber).toBe(99);
    expect(ingressRule({ protocol: 'ICMP', icmp: { type: 3, code: 1 } })).toMatchObject({ ports: [{ protocol: 'ICMP' }], icmp: { type: 3, code: 1 } });
    expect(ingressRule({ protocol: 'ICMPv6', notICMP: { type: 128 } }).notICMP).toEqual({ type: 128 });
    expect(ingressRule({ protocol: 'ICMP', icmp: {} })).not.toHaveProperty('icmp');
    expect(ingressRule({ ipVersion: 6 }).ipVersion).toBe(6);
  });
});

describe('Calico rules in the IR: the ends of the connection', () => {
  it('matches every peer without a source', () => {
    expect(ingressRule({ destination: {} }).peers).toEqual([]);
  });

  it('reads source nets as IP blocks, a bare address as a host', () => {
    expect(ingressRule({ source: { nets: ['10.0.0.0/8', '192.168.1.1'] } }).peers).toEqual([
      { ipBlock: { cidr: '10.0.0.0/8', except: [] } },
      { ipBlock: { cidr: '192.168.1.1/32', except: [] } },
    ]);
  });

  it('reads a source selector as endpoints and network sets of the policy namespace', () => {
    expect(ingressRule({ source: { selector: 'app == "web"' } }).peers).toEqual([
      { endpoints: { namespaceSelector: ownNamespace, podSelector: { op: 'eq', key: 'app', value: 'web' } }, networkSets: true },
    ]);
  });

  it('scopes the selector to the namespaces of a namespaceSelector', () => {
    expect(ingressRule({ source: { namespaceSelector: 'projectcalico.org/name == "web"', selector: 'app == "a"' } }).peers).toEqual([
      { endpoints: { namespaceSelector: { op: 'eq', key: ns, value: 'web' }, podSelector: { op: 'eq', key: 'app', value: 'a' } }, networkSets: true },
    ]);
    expect(ingressRule({ source: { namespaceSelector: 'all()' } }).peers).toEqual([
      { endpoints: { namespaceSelector: { op: 'has', key: ns }, podSelector: all }, networkSets: true },
    ]);
  });

  it('reaches global network sets with namespaceSelector global()', () => {
    expect(ingressRule({ source: { namespaceSelector: 'global()', selector: 'role == "ext"' } }).peers).toEqual([
      { endpoints: { namespaceSelector: { op: 'notHas', key: ns }, podSelector: { op: 'eq', key: 'role', value: 'ext' } }, networkSets: true },
    ]);
  });

  it('requires both nets and selector when both are given', () => {
    expect(ingressRule({ source: { selector: 'app == "a"', nets: ['10.0.0.0/8'] } }).peers).toEqual([
      { endpoints: { namespaceSelector: ownNamespace, podSelector: { op: 'eq', key: 'app', value: 'a' } }, networkSets: true, nets: ['10.0.0.0/8'] },
    ]);
  });

  it('matches service accounts by names (sorted, unique) and selector', () => {
    expect(ingressRule({ source: { serviceAccounts: { names: ['b', 'a', 'b'], selector: 'team == "x"' } } }).peers).toEqual([
      {
        endpoints: {
          namespaceSelector: ownNamespace,
          podSelector: all,
          serviceAccounts: { names: ['a', 'b'], selector: { op: 'eq', key: 'team', value: 'x' } },
        },
        networkSets: true,
      },
    ]);
    expect(ingressRule({ source: { serviceAccounts: {} } }).peers).toEqual([]);
  });

  it('excludes notNets and notSelector matches, the latter in every namespace', () => {
    const rule = ingressRule({ source: { notNets: ['10.1.0.0/16'], notSelector: 'has(bad)' } });
    expect(rule.notPeers).toEqual([
      { ipBlock: { cidr: '10.1.0.0/16', except: [] } },
      { endpoints: { namespaceSelector: all, podSelector: { op: 'has', key: 'bad' } }, networkSets: true },
    ]);
    // In a namespaced policy, a notSelector alone still limits the source to the policy's namespace.
    expect(rule.peers).toEqual([{ endpoints: { namespaceSelector: ownNamespace, podSelector: all }, networkSets: true }]);
  });

  it("reads an ingress rule's destination as the protected endpoint (localPeers)", () => {
    const rule = ingressRule({ destination: { selector: 'app == "db"', notNets: ['10.0.0.5'] } });
    expect(rule.peers).toEqual([]);
    expect(rule.localPeers).toEqual([
      { endpoints: { namespaceSelector: ownNamespace, podSelector: { op: 'eq', key: 'app', value: 'db' } }, networkSets: true },
    ]);
    expect(rule.notLocalPeers).toEqual([{ ipBlock: { cidr: '10.0.0.5/32', except: [] } }]);
  });

  it("reads an egress rule's destination as the remote end and its source as the local one", () => {
    const [rule] = policyOf(
      calicoPolicy({ egress: [{ action: 'Allow', protocol: 'TCP', source: { selector: 'app == "a"' }, destination: { nets: ['1.2.3.0/24'], ports: [443] } }] }),
    ).egress;
    expect(rule).toEqual({
      action: 'Allow',
      ports: [{ protocol: 'TCP', port: 443 }],
      peers: [{ ipBlock: { cidr: '1.2.3.0/24', except: [] } }],
      localPeers: [{ endpoints: { namespaceSelector: ownNamespace, podSelector: { op: 'eq', key: 'app', value: 'a' } }, networkSets: true }],
    });
  });
});
