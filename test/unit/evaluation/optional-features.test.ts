// The optional IR features (policy/ir-features.ts) through the resolver and the reference
// evaluator: network sets and peer nets, the negated conditions (except terms), protocol numbers,
// IP version, ICMP type/code, source ports, and staged targets.
import { describe, expect, it } from 'vitest';
import type { MatchTerm } from '../../../policy/evaluation/endpoint-policy.ts';
import { evaluate, type Packet } from '../../../policy/evaluation/evaluate.ts';
import { directionPolicyHash } from '../../../policy/evaluation/hash.ts';
import { resolveEndpointPolicies } from '../../../policy/evaluation/resolve.ts';
import { type Inventory, inventorySchema } from '../../../policy/inventory.ts';
import type { EndpointMatch, NetworkSet, Peer, PolicySet, Rule, Selector } from '../../../policy/ir.ts';
import { ALL, inventory, irPolicy, pod, rule, tier } from './factories.ts';

const host = (ip: string) => ({ family: (ip.includes(':') ? 6 : 4) as 4 | 6, cidr: `${ip}/${ip.includes(':') ? 128 : 32}`, except: [] });
const net = (cidr: string) => ({ family: (cidr.includes(':') ? 6 : 4) as 4 | 6, cidr, except: [] });

// x/web (the endpoint under policy), x/db, y/api; y is labelled team=blue.
const web = pod('x/web', { labels: { app: 'web' }, ipv4: ['198.18.1.1'], ipv6: ['fd00::1'] });
const db = pod('x/db', { labels: { app: 'db' }, ipv4: ['198.18.1.2'], ipv6: ['fd00::2'], ports: [{ name: 'sql', port: 5432, protocol: 'TCP' }] });
const api = pod('y/api', { labels: { app: 'api' }, ipv4: ['198.18.2.1'], ports: [{ name: 'sql', port: 6432, protocol: 'TCP' }] });
const cluster = inventory([web, db, api], { y: { team: 'blue' } });

const byLabel = (key: string, value: string): Selector => ({ op: 'eq', key, value });
const peer = (podSelector: Selector, extra: Partial<Extract<Peer, { endpoints: unknown }>> = {}, namespaceSelector: Selector = ALL): Peer => ({
  endpoints: { namespaceSelector, podSelector },
  ...extra,
});

function set(rules: { ingress?: Rule[]; egress?: Rule[] }, networkSets?: NetworkSet[]): PolicySet {
  return {
    tiers: [tier('t', 100, 'Deny', [irPolicy('p', { subject: { namespaceSelector: ALL, podSelector: byLabel('app', 'web') }, ...rules })])],
    ...(networkSets && { networkSets }),
  };
}

function resolved(policySet: PolicySet, inv: Inventory = cluster) {
  return resolveEndpointPolicies(policySet, inv, { endpoints: ['x/web'] }).get('x/web')!;
}

function terms(policySet: PolicySet, direction: 'ingress' | 'egress' = 'ingress', inv?: Inventory): MatchTerm[] {
  return resolved(policySet, inv)[direction]!.tiers[0]!.policies[0]!.rules[0]!.terms;
}

const verdict = (policySet: PolicySet, direction: 'ingress' | 'egress', packet: Packet) => evaluate(resolved(policySet), direction, packet).verdict;

const partners: NetworkSet[] = [
  { id: 'NetworkSet/x/partners', kind: 'NetworkSet', namespace: 'x', name: 'partners', labels: { role: 'partner' }, nets: ['203.0.113.0/24'] },
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

describe('networkSets and peer nets', () => {
  it('network sets match like endpoints (namespaced by their namespace labels, global with {}) and add their nets', () => {
    const rules = (p: Peer) => ({ ingress: [rule('Allow', { peers: [p] })] });
    // every namespace: all three sets
    expect(terms(set(rules(peer(byLabel('role', 'partner'), { networkSets: true })), partners))).toEqual([
      { protocol: 'any', ports: 'any', remote: [net('100.64.0.0/10'), net('192.0.2.0/24'), net('203.0.113.0/24'), net('2001:db8::/32')] },
    ]);
    // namespace y only: its set; a global set has namespace labels {} and never matches a namespace selector on a label
    expect(terms(set(rules(peer(byLabel('role', 'partner'), { networkSets: true }, byLabel('team', 'blue'))), partners))).toEqual([
      { protocol: 'any', ports: 'any', remote: [net('192.0.2.0/24')] },
    ]);
    expect(terms(set(rules(peer(byLabel('role', 'partner'), { networkSets: true }, { op: 'notHas', key: 'team' })), partners))).toEqual([
      { protocol: 'any', ports: 'any', remote: [net('100.64.0.0/10'), net('203.0.113.0/24'), net('2001:db8::/32')] },
    ]);
  });

  it('without networkSets: true a selector matches pods only', () => {
    expect(terms(set({ ingress: [rule('Allow', { peers: [peer(ALL)] })] }, partners))).toEqual([
      { protocol: 'any', ports: 'any', remote: [host('198.18.1.1'), host('198.18.1.2'), host('198.18.2.1'), host('fd00::1'), host('fd00::2')] },
    ]);
  });

  it('nets keep only the addresses inside them: pod addresses filtered, network-set nets intersected', () => {
    const p = peer(ALL, { networkSets: true, nets: ['198.18.1.0/24', '100.64.1.0/24', '203.0.0.0/8'] });
    expect(terms(set({ ingress: [rule('Allow', { peers: [p] })] }, partners))).toEqual([
      { protocol: 'any', ports: 'any', remote: [net('100.64.1.0/24'), host('198.18.1.1'), host('198.18.1.2'), net('203.0.113.0/24')] },
    ]);
    const policy = set({ ingress: [rule('Allow', { peers: [p] })] }, partners);
    expect(verdict(policy, 'ingress', { remoteIp: '198.18.1.2', protocol: 'TCP', dstPort: 80 })).toBe('allow');
    expect(verdict(policy, 'ingress', { remoteIp: '198.18.2.1', protocol: 'TCP', dstPort: 80 })).toBe('deny');
    expect(verdict(policy, 'ingress', { remoteIp: '100.64.1.9', protocol: 'TCP', dstPort: 80 })).toBe('allow');
    expect(verdict(policy, 'ingress', { remoteIp: '100.64.2.9', protocol: 'TCP', dstPort: 80 })).toBe('deny');
  });

  it('a policy set without network sets hashes as before', () => {
    const policy = set({ ingress: [rule('Allow')] });
    const direction = resolved(policy).ingress!;
    expect(direction.hash).toBe(directionPolicyHash('ingress', direction.tiers));
    expect(resolved({ ...policy, networkSets: [] }).ingress!.hash).toBe(direction.hash);
  });
});

describe('negated conditions', () => {
  it('notPeers: the remote must be in none of them (network sets included)', () => {
    const policy = set(
      {
        ingress: [rule('Allow', { notPeers: [peer(byLabel('app', 'db')), peer(byLabel('role', 'partner'), { networkSets: true }, byLabel('team', 'blue'))] })],
      },
      partners,
    );
    expect(terms(policy)).toEqual([
      {
        protocol: 'any',
        ports: 'any',
        remote: 'any',
        except: [{ protocol: 'any', ports: 'any', remote: [net('192.0.2.0/24'), host('198.18.1.2'), host('fd00::2')] }],
      },
    ]);
    expect(verdict(policy, 'ingress', { remoteIp: '198.18.1.2', protocol: 'TCP', dstPort: 80 })).toBe('deny');
    expect(verdict(policy, 'ingress', { remoteIp: '192.0.2.7', protocol: 'TCP', dstPort: 80 })).toBe('deny');
    expect(verdict(policy, 'ingress', { remoteIp: '198.18.2.1', protocol: 'TCP', dstPort: 80 })).toBe('allow');
  });

  it('notPeers that select nothing exclude nothing', () => {
    expect(terms(set({ ingress: [rule('Allow', { notPeers: [peer(byLabel('app', 'none'))] })] }))).toEqual([{ protocol: 'any', ports: 'any', remote: 'any' }]);
  });

  it('notPorts, numbered and named: ingress names on the endpoint itself, egress names per destination', () => {
    const ingress = set({
      ingress: [
        rule('Allow', {
          ports: [{ protocol: 'TCP' }],
          notPorts: [
            { protocol: 'TCP', port: 22 },
            { protocol: 'TCP', port: 80, endPort: 81 },
          ],
        }),
      ],
    });
    expect(terms(ingress)).toEqual([
      {
        protocol: 'TCP',
        ports: 'any',
        remote: 'any',
        except: [
          {
            protocol: 'TCP',
            ports: [
              { first: 22, last: 22 },
              { first: 80, last: 81 },
            ],
            remote: 'any',
          },
        ],
      },
    ]);
    expect(verdict(ingress, 'ingress', { remoteIp: '192.0.2.1', protocol: 'TCP', dstPort: 81 })).toBe('deny');
    expect(verdict(ingress, 'ingress', { remoteIp: '192.0.2.1', protocol: 'TCP', dstPort: 82 })).toBe('allow');

    const egress = set({ egress: [rule('Allow', { ports: [{ protocol: 'TCP' }], notPorts: [{ protocol: 'TCP', name: 'sql' }] })] });
    expect(terms(egress, 'egress')).toEqual([
      {
        protocol: 'TCP',
        ports: 'any',
        remote: 'any',
        except: [
          { protocol: 'TCP', ports: [{ first: 5432, last: 5432 }], remote: [host('198.18.1.2'), host('fd00::2')] },
          { protocol: 'TCP', ports: [{ first: 6432, last: 6432 }], remote: [host('198.18.2.1')] },
        ],
      },
    ]);
    expect(verdict(egress, 'egress', { remoteIp: '198.18.1.2', protocol: 'TCP', dstPort: 5432 })).toBe('deny');
    expect(verdict(egress, 'egress', { remoteIp: '198.18.2.1', protocol: 'TCP', dstPort: 5432 })).toBe('allow');
    expect(verdict(egress, 'egress', { remoteIp: '198.18.2.1', protocol: 'TCP', dstPort: 6432 })).toBe('deny');
  });

  it('notProtocol and notProtocolNumber', () => {
    const policy = set({ ingress: [rule('Allow', { notProtocol: 'UDP', notProtocolNumber: 47 })] });
    expect(verdict(policy, 'ingress', { remoteIp: '192.0.2.1', protocol: 'UDP', dstPort: 53 })).toBe('deny');
    expect(verdict(policy, 'ingress', { remoteIp: '192.0.2.1', protocol: 47 })).toBe('deny');
    expect(verdict(policy, 'ingress', { remoteIp: '192.0.2.1', protocol: 'TCP', dstPort: 53 })).toBe('allow');
    expect(verdict(policy, 'ingress', { remoteIp: '192.0.2.1', protocol: 50 })).toBe('allow');
    // a named protocol's number means the protocol
    expect(terms(set({ ingress: [rule('Allow', { notProtocolNumber: 6 })] }))[0]!.except).toEqual([{ protocol: 'TCP', ports: 'any', remote: 'any' }]);
  });

  it('a rule whose except matches every packet matches nothing', () => {
    const policy = set({ ingress: [rule('Allow', { notPeers: [{ ipBlock: { cidr: '0.0.0.0/0', except: [] } }, { ipBlock: { cidr: '::/0', except: [] } }] })] });
    expect(verdict(policy, 'ingress', { remoteIp: '192.0.2.1', protocol: 'TCP', dstPort: 80 })).toBe('deny');
    expect(verdict(policy, 'ingress', { remoteIp: '2001:db8::1', protocol: 'UDP', dstPort: 80 })).toBe('deny');
    const contradiction = set({ ingress: [rule('Allow', { ports: [{ protocol: 'TCP' }], notProtocol: 'TCP' })] });
    expect(verdict(contradiction, 'ingress', { remoteIp: '192.0.2.1', protocol: 'TCP', dstPort: 80 })).toBe('deny');
  });
});

describe('protocol numbers, IP version, ICMP', () => {
  it('protocolNumber matches that IP protocol only (a named protocol by its name)', () => {
    const gre = set({ ingress: [rule('Allow', { protocolNumber: 47 })] });
    expect(terms(gre)).toEqual([{ protocol: 'any', ports: 'any', remote: 'any', protocolNumber: 47 }]);
    expect(verdict(gre, 'ingress', { remoteIp: '192.0.2.1', protocol: 47 })).toBe('allow');
    expect(verdict(gre, 'ingress', { remoteIp: '192.0.2.1', protocol: 'TCP', dstPort: 47 })).toBe('deny');
    expect(terms(set({ ingress: [rule('Allow', { protocolNumber: 17 })] }))).toEqual([{ protocol: 'UDP', ports: 'any', remote: 'any' }]);
  });

  it('ipVersion restricts the rule to one family', () => {
    const v6 = set({ ingress: [rule('Allow', { ipVersion: 6 })] });
    expect(verdict(v6, 'ingress', { remoteIp: '2001:db8::1', protocol: 'TCP', dstPort: 80 })).toBe('allow');
    expect(verdict(v6, 'ingress', { remoteIp: '192.0.2.1', protocol: 'TCP', dstPort: 80 })).toBe('deny');
  });

  it('icmp type and code; with no protocol given, ICMP for IPv4 and ICMPv6 for IPv6', () => {
    const unreachable = set({ ingress: [rule('Allow', { ports: [{ protocol: 'ICMP' }], icmp: { type: 3, code: 4 } })] });
    expect(verdict(unreachable, 'ingress', { remoteIp: '192.0.2.1', protocol: 'ICMP', icmpType: 3, icmpCode: 4 })).toBe('allow');
    expect(verdict(unreachable, 'ingress', { remoteIp: '192.0.2.1', protocol: 'ICMP', icmpType: 3, icmpCode: 1 })).toBe('deny');
    expect(verdict(unreachable, 'ingress', { remoteIp: '192.0.2.1', protocol: 'ICMP', icmpType: 8, icmpCode: 4 })).toBe('deny');

    const echo = set({ ingress: [rule('Allow', { icmp: { type: 128 } })] });
    expect(terms(echo)).toEqual([
      { protocol: 'ICMP', ports: 'any', remote: 'any', ipVersion: 4, icmp: { type: 128 } },
      { protocol: 'ICMPv6', ports: 'any', remote: 'any', ipVersion: 6, icmp: { type: 128 } },
    ]);
    expect(verdict(echo, 'ingress', { remoteIp: '2001:db8::1', protocol: 'ICMPv6', icmpType: 128, icmpCode: 0 })).toBe('allow');
    expect(verdict(echo, 'ingress', { remoteIp: '2001:db8::1', protocol: 'TCP', dstPort: 80 })).toBe('deny');
    // icmp with a port protocol matches nothing
    expect(terms(set({ ingress: [rule('Allow', { ports: [{ protocol: 'TCP' }], icmp: { type: 8 } })] }))).toEqual([]);
  });

  it('notICMP excludes ICMP of that type for IPv4 and ICMPv6 of it for IPv6, nothing else', () => {
    const policy = set({ ingress: [rule('Allow', { notICMP: { type: 8 } })] });
    expect(verdict(policy, 'ingress', { remoteIp: '192.0.2.1', protocol: 'ICMP', icmpType: 8, icmpCode: 0 })).toBe('deny');
    expect(verdict(policy, 'ingress', { remoteIp: '192.0.2.1', protocol: 'ICMP', icmpType: 0, icmpCode: 0 })).toBe('allow');
    expect(verdict(policy, 'ingress', { remoteIp: '2001:db8::1', protocol: 'ICMPv6', icmpType: 8, icmpCode: 0 })).toBe('deny');
    expect(verdict(policy, 'ingress', { remoteIp: '192.0.2.1', protocol: 'UDP', dstPort: 8 })).toBe('allow');
  });
});

describe('source ports', () => {
  it('srcPorts numbered; a packet without ports never matches', () => {
    const policy = set({ ingress: [rule('Allow', { ports: [{ protocol: 'UDP', port: 53 }], srcPorts: [{ protocol: 'UDP', port: 1000, endPort: 1010 }] })] });
    expect(terms(policy)).toEqual([{ protocol: 'UDP', ports: [{ first: 53, last: 53 }], remote: 'any', srcPorts: [{ first: 1000, last: 1010 }] }]);
    expect(verdict(policy, 'ingress', { remoteIp: '192.0.2.1', protocol: 'UDP', dstPort: 53, srcPort: 1005 })).toBe('allow');
    expect(verdict(policy, 'ingress', { remoteIp: '192.0.2.1', protocol: 'UDP', dstPort: 53, srcPort: 999 })).toBe('deny');
    const any = set({ ingress: [rule('Allow', { srcPorts: [{ protocol: 'TCP', port: 7 }] })] });
    expect(verdict(any, 'ingress', { remoteIp: '192.0.2.1', protocol: 'TCP', dstPort: 80, srcPort: 7 })).toBe('allow');
    expect(verdict(any, 'ingress', { remoteIp: '192.0.2.1', protocol: 'UDP', dstPort: 80, srcPort: 7 })).toBe('deny');
  });

  it('a source port name is looked up on the source: remote endpoints for ingress, the endpoint itself for egress', () => {
    const ingress = set({ ingress: [rule('Allow', { srcPorts: [{ protocol: 'TCP', name: 'sql' }] })] });
    expect(terms(ingress)).toEqual([
      { protocol: 'TCP', ports: 'any', remote: [host('198.18.1.2'), host('fd00::2')], srcPorts: [{ first: 5432, last: 5432 }] },
      { protocol: 'TCP', ports: 'any', remote: [host('198.18.2.1')], srcPorts: [{ first: 6432, last: 6432 }] },
    ]);
    const egress = set({ egress: [rule('Allow', { notSrcPorts: [{ protocol: 'TCP', name: 'http' }] })] });
    const withHttp = inventory([{ ...web, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }, db, api], { y: { team: 'blue' } });
    expect(terms(egress, 'egress', withHttp)).toEqual([
      { protocol: 'any', ports: 'any', remote: 'any', except: [{ protocol: 'TCP', ports: 'any', remote: 'any', srcPorts: [{ first: 8080, last: 8080 }] }] },
    ]);
  });
});

describe('stagedTargets', () => {
  const subject = { namespaceSelector: ALL, podSelector: byLabel('app', 'web') };
  const enforced = irPolicy('deny-web', { subject, ingress: [rule('Deny')] });
  const tcp80: Packet = { remoteIp: '192.0.2.1', protocol: 'TCP', dstPort: 80 };

  it('a staged edit previews the edit: the staged evaluation leaves its target out', () => {
    const staged = irPolicy('staged-allow', { subject, staged: true, stagedTarget: 'deny-web', order: 1, ingress: [rule('Allow')] });
    const result = evaluate(resolved({ tiers: [tier('t', 100, 'Deny', [enforced, staged])] }), 'ingress', tcp80);
    expect(result).toMatchObject({ verdict: 'deny', stagedVerdict: 'allow', stagedTrace: [{ policyId: 'staged-allow', action: 'Allow' }] });
  });

  it('a staged deletion (no directions) previews the removal, even though it selects nothing itself', () => {
    const deletion = irPolicy('staged-delete', { subject, staged: true, stagedTarget: 'deny-web', directions: [] });
    const endpoint = resolved({ tiers: [tier('t', 100, 'Deny', [enforced, deletion])] });
    expect(endpoint.ingress!.tiers[0]!.policies).toEqual([
      { id: 'deny-web', staged: false, stagedOut: true, rules: [{ index: 0, action: 'Deny', terms: [{ protocol: 'any', ports: 'any', remote: 'any' }] }] },
    ]);
    expect(evaluate(endpoint, 'ingress', tcp80)).toMatchObject({ verdict: 'deny', stagedVerdict: 'allow', stagedTrace: [] });
  });
});

describe('localPeers (judged for the protected endpoint itself)', () => {
  const everyone = { namespaceSelector: ALL, podSelector: ALL };
  const policyFor = (fields: Partial<Rule>) => ({
    tiers: [tier('t', 100, 'Deny', [irPolicy('p', { subject: everyone, ingress: [rule('Allow', fields)] })])],
  });
  const termsOf = (fields: Partial<Rule>, key: string) =>
    resolveEndpointPolicies(policyFor(fields), cluster, { endpoints: [key] }).get(key)!.ingress!.tiers[0]!.policies[0]!.rules[0]!.terms;

  it('by labels: the rule applies to the endpoints the local peers select, and not to the others', () => {
    const fields = { localPeers: [peer(byLabel('app', 'web'))] };
    expect(termsOf(fields, 'x/web')).toEqual([{ protocol: 'any', ports: 'any', remote: 'any' }]);
    expect(termsOf(fields, 'x/db')).toEqual([]);
    const not = { notLocalPeers: [peer(byLabel('app', 'web'))] };
    expect(termsOf(not, 'x/web')).toEqual([]);
    expect(termsOf(not, 'x/db')).toEqual([{ protocol: 'any', ports: 'any', remote: 'any' }]);
  });

  it("by address: per family, on the endpoint's own address", () => {
    const v4 = { localPeers: [{ ipBlock: { cidr: '198.18.1.0/24', except: [] } }] };
    expect(termsOf(v4, 'x/web')).toEqual([{ protocol: 'any', ports: 'any', remote: 'any', ipVersion: 4 }]);
    expect(termsOf(v4, 'y/api')).toEqual([]);
    const notV6 = { notLocalPeers: [peer(ALL, { nets: ['fd00::/64'] })] };
    expect(termsOf(notV6, 'x/web')).toEqual([{ protocol: 'any', ports: 'any', remote: 'any', ipVersion: 4 }]);
    expect(termsOf({ ...notV6, ipVersion: 6 }, 'x/web')).toEqual([]);
    expect(verdict(policyFor(v4), 'ingress', { remoteIp: '192.0.2.1', protocol: 'TCP', dstPort: 80 })).toBe('allow');
    expect(verdict(policyFor(v4), 'ingress', { remoteIp: '2001:db8::1', protocol: 'TCP', dstPort: 80 })).toBe('deny');
  });
});

describe('serviceAccounts and nodePeers (from the inventory)', () => {
  const withAccounts = inventory(
    [
      { ...web, serviceAccount: { name: 'frontend', labels: { tier: 'web' } } },
      { ...db, serviceAccount: { name: 'database', labels: {} } },
      api, // account unknown
    ],
    { y: { team: 'blue' } },
  );
  const nodesInventory = inventorySchema.parse({
    namespaces: withAccounts.namespaces,
    endpoints: withAccounts.endpoints,
    nodes: [
      { name: 'cp-1', labels: { role: 'cp' }, addresses: ['10.0.0.1', 'fd10::1'] },
      { name: 'worker-1', labels: { role: 'worker' }, addresses: ['10.0.0.2'] },
    ],
  });
  const saPeer = (serviceAccounts: NonNullable<EndpointMatch['serviceAccounts']>): Peer => ({
    endpoints: { namespaceSelector: ALL, podSelector: ALL, serviceAccounts },
  });

  it('peers by service account name and by a selector over its labels (plus projectcalico.org/name)', () => {
    const remoteOf = (p: Peer) => terms(set({ ingress: [rule('Allow', { peers: [p] })] }), 'ingress', withAccounts)[0]?.remote;
    expect(remoteOf(saPeer({ names: ['database'] }))).toEqual([host('198.18.1.2'), host('fd00::2')]);
    expect(remoteOf(saPeer({ selector: byLabel('tier', 'web') }))).toEqual([host('198.18.1.1'), host('fd00::1')]);
    expect(remoteOf(saPeer({ selector: byLabel('projectcalico.org/name', 'database') }))).toEqual([host('198.18.1.2'), host('fd00::2')]);
    // both given: both must hold; a pod without a known account has no name and the labels {}
    expect(remoteOf(saPeer({ names: ['database'], selector: byLabel('tier', 'web') }))).toBeUndefined();
    expect(remoteOf(saPeer({ selector: { op: 'notHas', key: 'tier' } }))).toEqual([host('198.18.1.2'), host('198.18.2.1'), host('fd00::2')]);
  });

  it('subjects by service account', () => {
    const policySet: PolicySet = {
      tiers: [
        tier('t', 100, 'Deny', [
          irPolicy('p', { subject: { namespaceSelector: ALL, podSelector: ALL, serviceAccounts: { names: ['frontend'] } }, ingress: [rule('Deny')] }),
        ]),
      ],
    };
    const all = resolveEndpointPolicies(policySet, withAccounts, { endpoints: 'all' });
    expect(all.get('x/web')!.ingress).not.toBeNull();
    expect(all.get('x/db')!.ingress).toBeNull();
    expect(all.get('y/api')!.ingress).toBeNull();
  });

  it('nodes: the addresses of matching nodes, ORed with peers; an empty peers list then adds nothing', () => {
    const ofRule = (fields: Partial<Rule>) => terms(set({ egress: [rule('Allow', fields)] }), 'egress', nodesInventory);
    expect(ofRule({ nodes: [byLabel('role', 'cp')] })).toEqual([{ protocol: 'any', ports: 'any', remote: [host('10.0.0.1'), host('fd10::1')] }]);
    expect(ofRule({ nodes: [ALL], peers: [{ ipBlock: { cidr: '192.0.2.0/24', except: [] } }] })).toEqual([
      { protocol: 'any', ports: 'any', remote: [host('10.0.0.1'), host('10.0.0.2'), net('192.0.2.0/24'), host('fd10::1')] },
    ]);
    expect(ofRule({ nodes: [byLabel('role', 'none')] })).toEqual([]);
    // named ports: pods are not admitted through an empty peers list when nodes are given
    expect(ofRule({ nodes: [byLabel('role', 'cp')], ports: [{ protocol: 'TCP', name: 'sql' }] })).toEqual([]);
    // an inventory without nodes: node peers match no address
    expect(terms(set({ egress: [rule('Allow', { nodes: [ALL] })] }), 'egress', withAccounts)).toEqual([]);
  });

  it('the inventory refuses duplicate nodes and bad node addresses; without nodes it hashes as before', () => {
    const base = { namespaces: [{ name: 'x' }], endpoints: [] };
    expect(inventorySchema.safeParse({ ...base, nodes: [{ name: 'n' }, { name: 'n' }] }).success).toBe(false);
    expect(inventorySchema.safeParse({ ...base, nodes: [{ name: 'n', addresses: ['10.0.0.01'] }] }).success).toBe(false);
    expect(inventorySchema.parse(base)).not.toHaveProperty('nodes');
  });
});
