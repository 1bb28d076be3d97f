import { describe, expect, it } from 'vitest';
import type { DirectionPolicy, MatchTerm } from '../../../policy/evaluation/endpoint-policy.ts';
import { resolveEndpointPolicies } from '../../../policy/evaluation/resolve.ts';
import type { Inventory } from '../../../policy/inventory.ts';
import type { PolicySet } from '../../../policy/ir.ts';
import { inventory, irPolicy, networkPolicy, pod, policySet, rule, tier } from './factories.ts';

function resolveOne(set: PolicySet, inv: Inventory, key: string) {
  const result = resolveEndpointPolicies(set, inv, { endpoints: 'all' }).get(key);
  if (!result) throw new Error(`${key} not resolved`);
  return result;
}

/** The terms of the only rule of the only policy of the only tier. */
function onlyRuleTerms(direction: DirectionPolicy | null): MatchTerm[] {
  expect(direction?.tiers).toHaveLength(1);
  const policies = direction!.tiers[0]!.policies;
  expect(policies).toHaveLength(1);
  expect(policies[0]!.rules).toHaveLength(1);
  return policies[0]!.rules[0]!.terms;
}

const host = (ip: string) => ({ family: 4 as const, cidr: `${ip}/32`, except: [] });

// x/a, x/b, y/a, y/b with fixed addresses; y is labelled team=blue.
const xa = pod('x/a', { labels: { pod: 'a' }, ipv4: ['198.18.1.1'], ipv6: ['fd00::1'] });
const xb = pod('x/b', { labels: { pod: 'b' }, ipv4: ['198.18.1.2'] });
const ya = pod('y/a', { labels: { pod: 'a' }, ipv4: ['198.18.2.1'] });
const yb = pod('y/b', { labels: { pod: 'b', env: 'prod' }, ipv4: ['198.18.2.2'] });
const cluster = inventory([xa, xb, ya, yb], { y: { team: 'blue' } });

describe('which endpoints and directions', () => {
  it('resolves only endpoints on this node unless asked for all or for some', () => {
    const inv = inventory([pod('x/local'), pod('x/remote', { hostInterface: undefined, node: 'node-2' })]);
    const set = policySet();
    expect([...resolveEndpointPolicies(set, inv).keys()]).toEqual(['x/local']);
    expect([...resolveEndpointPolicies(set, inv, { endpoints: 'all' }).keys()]).toEqual(['x/local', 'x/remote']);
    expect([...resolveEndpointPolicies(set, inv, { endpoints: ['x/remote', 'x/none'] }).keys()]).toEqual(['x/remote']);
    expect(resolveEndpointPolicies(set, inv).get('x/local')?.hostInterface).toMatch(/^veth/);
  });

  it('gives null for a direction no policy selects the endpoint for (allowed, as in Kubernetes)', () => {
    const set = policySet(networkPolicy('x', 'deny-egress', { policyTypes: ['Egress'] }));
    const xaPolicy = resolveOne(set, cluster, 'x/a');
    expect(xaPolicy.ingress).toBeNull();
    expect(xaPolicy.egress?.tiers[0]).toMatchObject({ name: 'default', defaultAction: 'Deny', enforced: true });
    expect(xaPolicy.egress?.tiers[0]?.policies).toEqual([{ id: 'NetworkPolicy/x/deny-egress', staged: false, rules: [] }]);
    // A policy of another namespace does not select y's pods.
    expect(resolveOne(set, cluster, 'y/a')).toMatchObject({ ingress: null, egress: null });
  });

  it('keeps only the tiers and policies that select the endpoint, in evaluation order, with rule identity', () => {
    const set: PolicySet = {
      tiers: [
        tier('security', 100, 'Pass', [
          irPolicy('only-b', { subject: { namespaceSelector: { op: 'all' }, podSelector: { op: 'eq', key: 'pod', value: 'b' } }, ingress: [rule('Deny')] }),
        ]),
        tier('platform', 200, 'Deny', [
          irPolicy('first', { order: 1, ingress: [rule('Log'), rule('Pass')] }),
          irPolicy('second', { order: 2, ingress: [rule('Allow')] }),
        ]),
      ],
    };
    const ingress = resolveOne(set, cluster, 'x/a').ingress!;
    expect(ingress.tiers.map((t) => t.name)).toEqual(['platform']);
    const [first, second] = ingress.tiers[0]!.policies;
    expect(first?.rules.map((r) => [r.index, r.action])).toEqual([
      [0, 'Log'],
      [1, 'Pass'],
    ]);
    expect(second?.id).toBe('second');
    expect(resolveOne(set, cluster, 'x/b').ingress!.tiers.map((t) => t.name)).toEqual(['security', 'platform']);
  });

  it('keeps staged policies, marked; a tier selecting only through staged policies is not enforced', () => {
    const staged = { ...networkPolicy('x', 'staged', { policyTypes: ['Ingress'] }), staged: true };
    const onlyStaged = resolveOne(policySet(staged), cluster, 'x/a').ingress!;
    expect(onlyStaged.tiers[0]).toMatchObject({ enforced: false, policies: [{ id: 'NetworkPolicy/x/staged', staged: true }] });
    const both = resolveOne(policySet(staged, networkPolicy('x', 'real', {})), cluster, 'x/a').ingress!;
    expect(both.tiers[0]?.enforced).toBe(true);
    expect(both.tiers[0]?.policies.map((p) => p.staged)).toEqual([false, true]);
  });
});

describe('peers', () => {
  const ingressFrom = (from: unknown[] | undefined, extra: Record<string, unknown> = {}) =>
    onlyRuleTerms(resolveOne(policySet(networkPolicy('x', 'p', { ingress: [{ ...(from && { from }), ...extra }] })), cluster, 'x/a').ingress);

  it('a podSelector alone means pods of the policy namespace, as /32 and /128', () => {
    expect(ingressFrom([{ podSelector: { matchLabels: { pod: 'a' } } }])).toEqual([
      { protocol: 'any', ports: 'any', remote: [host('198.18.1.1'), { family: 6, cidr: 'fd00::1/128', except: [] }] },
    ]);
  });

  it('a namespaceSelector alone means every pod of the selected namespaces', () => {
    expect(ingressFrom([{ namespaceSelector: { matchLabels: { team: 'blue' } } }])[0]?.remote).toEqual([host('198.18.2.1'), host('198.18.2.2')]);
  });

  it('both selectors in one peer are ANDed; two peers are ORed', () => {
    expect(ingressFrom([{ namespaceSelector: {}, podSelector: { matchLabels: { pod: 'b' } } }])[0]?.remote).toEqual([host('198.18.1.2'), host('198.18.2.2')]);
    expect(
      ingressFrom([
        { namespaceSelector: { matchLabels: { team: 'blue' } }, podSelector: { matchLabels: { env: 'prod' } } },
        { podSelector: { matchLabels: { pod: 'b' } } },
      ])[0]?.remote,
    ).toEqual([host('198.18.1.2'), host('198.18.2.2')]);
  });

  it('NotIn and DoesNotExist select pods without the key; In and Exists do not', () => {
    const env = (operator: string, values?: string[]) =>
      ingressFrom([{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'env', operator, ...(values && { values }) }] } }])[0]?.remote;
    // IPv4 before IPv6, each by address.
    expect(env('NotIn', ['prod'])).toEqual([host('198.18.1.1'), host('198.18.1.2'), host('198.18.2.1'), { family: 6, cidr: 'fd00::1/128', except: [] }]);
    expect(env('DoesNotExist')).toEqual(env('NotIn', ['prod']));
    expect(env('In', ['prod'])).toEqual([host('198.18.2.2')]);
    expect(env('Exists')).toEqual([host('198.18.2.2')]);
  });

  it('a namespace is selected by its kubernetes.io/metadata.name label', () => {
    expect(ingressFrom([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'y' } } }])[0]?.remote).toHaveLength(2);
  });

  it('an ipBlock keeps its cidr and except, canonically', () => {
    expect(ingressFrom([{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.2.0.0/16', '10.1.0.0/16'] } }])[0]?.remote).toEqual([
      { family: 4, cidr: '10.0.0.0/8', except: ['10.1.0.0/16', '10.2.0.0/16'] },
    ]);
    expect(ingressFrom([{ ipBlock: { cidr: '2001:DB8::/32' } }])[0]?.remote).toEqual([{ family: 6, cidr: '2001:db8::/32', except: [] }]);
  });

  it('deduplicates the remote set: repeated peers once, pod addresses inside an ipBlock dropped', () => {
    const terms = ingressFrom([
      { podSelector: { matchLabels: { pod: 'b' } } },
      { podSelector: { matchLabels: { pod: 'b' } } },
      { namespaceSelector: {}, podSelector: { matchLabels: { pod: 'b' } } },
      { ipBlock: { cidr: '198.18.2.0/24', except: ['198.18.2.128/25'] } },
    ]);
    expect(terms[0]?.remote).toEqual([host('198.18.1.2'), { family: 4, cidr: '198.18.2.0/24', except: ['198.18.2.128/25'] }]);
  });

  it('no peers match any remote; peers that select no pod match nothing, and the rule is kept', () => {
    expect(ingressFrom(undefined)).toEqual([{ protocol: 'any', ports: 'any', remote: 'any' }]);
    expect(ingressFrom([{ podSelector: { matchLabels: { pod: 'nobody' } } }])).toEqual([]);
  });

  it('pods without addresses contribute nothing', () => {
    const inv = inventory([xa, pod('x/pending', { labels: { pod: 'b' }, ipv4: [] })]);
    const set = policySet(networkPolicy('x', 'p', { ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] }));
    expect(onlyRuleTerms(resolveOne(set, inv, 'x/a').ingress)).toEqual([]);
  });
});

describe('ports', () => {
  const ingressPorts = (ports: unknown[], endpoint = 'x/a', inv = cluster) =>
    onlyRuleTerms(resolveOne(policySet(networkPolicy('x', 'p', { ingress: [{ ports }] })), inv, endpoint).ingress);

  it('one term per protocol, ranges merged, a protocol without a port means all its ports', () => {
    expect(
      ingressPorts([
        { protocol: 'TCP', port: 80 },
        { protocol: 'UDP', port: 53 },
        { port: 81 },
        { protocol: 'TCP', port: 1000, endPort: 2000 },
        { protocol: 'SCTP' },
      ]),
    ).toEqual([
      { protocol: 'SCTP', ports: 'any', remote: 'any' },
      {
        protocol: 'TCP',
        ports: [
          { first: 80, last: 81 },
          { first: 1000, last: 2000 },
        ],
        remote: 'any',
      },
      { protocol: 'UDP', ports: [{ first: 53, last: 53 }], remote: 'any' },
    ]);
  });

  it('ingress named ports resolve on the endpoint itself, with their protocol', () => {
    const inv = inventory([
      pod('x/a', {
        ports: [
          { name: 'web', port: 8080, protocol: 'TCP' },
          { name: 'dns', port: 53, protocol: 'UDP' },
        ],
      }),
      pod('x/b', { ports: [{ name: 'web', port: 9090, protocol: 'TCP' }] }),
    ]);
    expect(ingressPorts([{ port: 'web' }], 'x/a', inv)).toEqual([{ protocol: 'TCP', ports: [{ first: 8080, last: 8080 }], remote: 'any' }]);
    expect(ingressPorts([{ port: 'web' }], 'x/b', inv)).toEqual([{ protocol: 'TCP', ports: [{ first: 9090, last: 9090 }], remote: 'any' }]);
    // TCP is the default protocol: a UDP port of that name is another port.
    expect(ingressPorts([{ port: 'dns' }], 'x/a', inv)).toEqual([]);
    expect(ingressPorts([{ port: 'dns', protocol: 'UDP' }, { port: 'missing' }, { port: 443 }], 'x/a', inv)).toEqual([
      { protocol: 'TCP', ports: [{ first: 443, last: 443 }], remote: 'any' },
      { protocol: 'UDP', ports: [{ first: 53, last: 53 }], remote: 'any' },
    ]);
  });

  it('egress named ports resolve on each destination: (address, port) terms per port number', () => {
    const inv = inventory([
      pod('x/client', { ipv4: ['198.18.9.9'], ports: [] }),
      pod('x/web1', { labels: { app: 'web' }, ipv4: ['198.18.9.1'], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }),
      pod('x/web2', { labels: { app: 'web' }, ipv4: ['198.18.9.2'], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }),
      pod('x/web3', { labels: { app: 'web' }, ipv4: ['198.18.9.3'], ports: [{ name: 'http', port: 9000, protocol: 'TCP' }] }),
      pod('y/web', { labels: { app: 'web' }, ipv4: ['198.18.8.1'], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }),
      pod('x/other', { labels: { app: 'db' }, ipv4: ['198.18.9.4'], ports: [{ name: 'http', port: 7000, protocol: 'TCP' }] }),
    ]);
    const egress = (rule: Record<string, unknown>) =>
      onlyRuleTerms(resolveOne(policySet(networkPolicy('x', 'p', { policyTypes: ['Egress'], egress: [rule] })), inv, 'x/client').egress);

    expect(egress({ to: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 'http' }] })).toEqual([
      { protocol: 'TCP', ports: [{ first: 8080, last: 8080 }], remote: [host('198.18.9.1'), host('198.18.9.2')] },
      { protocol: 'TCP', ports: [{ first: 9000, last: 9000 }], remote: [host('198.18.9.3')] },
    ]);
    // No peers: every endpoint declaring the name is a destination.
    expect(egress({ ports: [{ port: 'http' }] }).map((t) => t.ports)).toEqual([
      [{ first: 80, last: 80 }],
      [{ first: 7000, last: 7000 }],
      [{ first: 8080, last: 8080 }],
      [{ first: 9000, last: 9000 }],
    ]);
    // ipBlock peers: the destinations inside the block and outside its holes.
    expect(egress({ to: [{ ipBlock: { cidr: '198.18.9.0/30', except: ['198.18.9.3/32'] } }], ports: [{ port: 'http' }] })).toEqual([
      { protocol: 'TCP', ports: [{ first: 8080, last: 8080 }], remote: [host('198.18.9.1'), host('198.18.9.2')] },
    ]);
    expect(egress({ ports: [{ port: 'nowhere' }] })).toEqual([]);
    // A numbered port next to a named one keeps the rule's whole remote set.
    expect(egress({ to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 'http' }, { port: 5432 }] })).toEqual([
      {
        protocol: 'TCP',
        ports: [
          { first: 5432, last: 5432 },
          { first: 7000, last: 7000 },
        ],
        remote: [host('198.18.9.4')],
      },
    ]);
  });
});

describe('content hash', () => {
  const policies = [
    networkPolicy('x', 'one', { ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] }),
    networkPolicy('x', 'two', { policyTypes: ['Ingress', 'Egress'], egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] }),
  ];
  const hashes = (set: PolicySet, inv: Inventory, key = 'x/a') => {
    const r = resolveOne(set, inv, key);
    return { ingress: r.ingress?.hash, egress: r.egress?.hash };
  };

  it('is a SHA-256 that does not depend on input order', () => {
    const forward = hashes(policySet(...policies), cluster);
    expect(forward.ingress).toMatch(/^[0-9a-f]{64}$/);
    const reversedInventory = inventory([yb, ya, xb, xa], { y: { team: 'blue' } });
    expect(hashes(policySet(...[...policies].reverse()), reversedInventory)).toEqual(forward);
  });

  it('changes only for the direction whose resolved rules changed', () => {
    const before = hashes(policySet(...policies), cluster);
    const moved = inventory([xa, { ...xb, ipv4: ['198.18.1.99'] }, ya, yb], { y: { team: 'blue' } });
    const after = hashes(policySet(...policies), moved);
    expect(after.ingress).not.toBe(before.ingress);
    expect(after.egress).toBe(before.egress);
    // A pod no rule selects changes nothing.
    const unrelated = inventory([xa, xb, ya, { ...yb, labels: { pod: 'b', extra: 'yes' } }], { y: { team: 'blue' } });
    expect(hashes(policySet(...policies), unrelated)).toEqual(before);
  });

  it('follows the port number a named port resolves to on each endpoint', () => {
    const inv = inventory([
      pod('x/a', { ports: [{ name: 'web', port: 8080, protocol: 'TCP' }] }),
      pod('x/b', { ports: [{ name: 'web', port: 8080, protocol: 'TCP' }] }),
      pod('x/c', { ports: [{ name: 'web', port: 9090, protocol: 'TCP' }] }),
    ]);
    const set = policySet(networkPolicy('x', 'web', { ingress: [{ ports: [{ port: 'web' }] }] }));
    const all = resolveEndpointPolicies(set, inv);
    const [a, b, c] = ['x/a', 'x/b', 'x/c'].map((key) => all.get(key)!.ingress!);
    expect(a!.hash).toBe(b!.hash);
    expect(c!.hash).not.toBe(a!.hash);
    expect(onlyRuleTerms(c!)[0]?.ports).toEqual([{ first: 9090, last: 9090 }]);
  });

  it('is the same for two endpoints with the same rules', () => {
    const set = policySet(networkPolicy('x', 'all', { ingress: [{ ports: [{ port: 80 }] }] }));
    expect(hashes(set, cluster, 'x/a')).toEqual(hashes(set, cluster, 'x/b'));
  });

  it('is computed once for the endpoints a policy selects alike: they share one resolved direction', () => {
    const set = policySet(networkPolicy('x', 'all', { ingress: [{ ports: [{ port: 80 }] }, { from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] }));
    const all = resolveEndpointPolicies(set, cluster, { endpoints: 'all' });
    expect(all.get('x/a')!.ingress).toBe(all.get('x/b')!.ingress);
    // a named port looked up on each endpoint: resolved per endpoint, shared again where equal
    const inv = inventory([
      pod('x/a', { ports: [{ name: 'web', port: 8080, protocol: 'TCP' }] }),
      pod('x/b', { ports: [{ name: 'web', port: 8080, protocol: 'TCP' }] }),
      pod('x/c', { ports: [{ name: 'web', port: 9090, protocol: 'TCP' }] }),
    ]);
    const named = resolveEndpointPolicies(policySet(networkPolicy('x', 'web', { ingress: [{ ports: [{ port: 80 }] }, { ports: [{ port: 'web' }] }] })), inv);
    expect(named.get('x/a')!.ingress).toBe(named.get('x/b')!.ingress);
    expect(named.get('x/c')!.ingress!.tiers[0]!.policies[0]!.rules[1]!.terms[0]?.ports).toEqual([{ first: 9090, last: 9090 }]);
  });
});
