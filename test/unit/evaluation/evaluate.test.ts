import { describe, expect, it } from 'vitest';
import { evaluate, type Packet } from '../../../policy/evaluation/evaluate.ts';
import { reachable } from '../../../policy/evaluation/reachable.ts';
import { resolveEndpointPolicies } from '../../../policy/evaluation/resolve.ts';
import type { PolicySet, Rule } from '../../../policy/ir.ts';
import { inventory, irPolicy, networkPolicy, pod, policySet, rule, tier } from './factories.ts';

// Traffic into x/server from x/client (198.18.3.1) and from elsewhere (192.0.2.1).
const inv = inventory([
  pod('x/server', { labels: { app: 'server' }, ipv4: ['198.18.3.2'], ipv6: ['fd00::2'] }),
  pod('x/client', { labels: { app: 'client' }, ipv4: ['198.18.3.1'], ipv6: ['fd00::1'] }),
]);
const fromClient: Packet = { remoteIp: '198.18.3.1', protocol: 'TCP', dstPort: 80 };
const fromOutside: Packet = { remoteIp: '192.0.2.1', protocol: 'TCP', dstPort: 80 };

const clientPeer = { endpoints: { namespaceSelector: { op: 'all' }, podSelector: { op: 'eq', key: 'app', value: 'client' } } } as const;
const onlyClient = (action: Rule['action']) => rule(action, { peers: [clientPeer] });
const onlyServer = { namespaceSelector: { op: 'all' }, podSelector: { op: 'eq', key: 'app', value: 'server' } } as const;

function serverIngress(set: PolicySet, packet: Packet) {
  const resolved = resolveEndpointPolicies(set, inv, { endpoints: 'all' }).get('x/server')!;
  return evaluate(resolved, 'ingress', packet);
}

describe('evaluate', () => {
  it('allows when no policy selects the endpoint, with an empty trace', () => {
    expect(serverIngress({ tiers: [] }, fromClient)).toEqual({ verdict: 'allow', trace: [] });
  });

  it('the first matching rule decides: Allow and Deny end evaluation', () => {
    const set: PolicySet = {
      tiers: [tier('t', 100, 'Deny', [irPolicy('p1', { order: 1, ingress: [onlyClient('Deny')] }), irPolicy('p2', { order: 2, ingress: [rule('Allow')] })])],
    };
    expect(serverIngress(set, fromClient)).toEqual({ verdict: 'deny', trace: [{ tier: 't', policyId: 'p1', ruleIndex: 0, action: 'Deny' }] });
    expect(serverIngress(set, fromOutside)).toEqual({ verdict: 'allow', trace: [{ tier: 't', policyId: 'p2', ruleIndex: 0, action: 'Allow' }] });
  });

  it('Pass skips the rest of its tier, default included, and goes to the next tier', () => {
    const set: PolicySet = {
      tiers: [
        tier('security', 100, 'Deny', [irPolicy('pass', { order: 1, ingress: [onlyClient('Pass')] }), irPolicy('deny', { order: 2, ingress: [rule('Deny')] })]),
        tier('default', 1_000_000, 'Deny', [irPolicy('allow', { ingress: [onlyClient('Allow')] })]),
      ],
    };
    expect(serverIngress(set, fromClient)).toEqual({
      verdict: 'allow',
      trace: [
        { tier: 'security', policyId: 'pass', ruleIndex: 0, action: 'Pass' },
        { tier: 'default', policyId: 'allow', ruleIndex: 0, action: 'Allow' },
      ],
    });
    expect(serverIngress(set, fromOutside).verdict).toBe('deny');
  });

  it('Log records and continues with the next rule and policy', () => {
    const set: PolicySet = {
      tiers: [
        tier('t', 100, 'Deny', [
          irPolicy('log', { order: 1, ingress: [rule('Log'), onlyClient('Allow')] }),
          irPolicy('after', { order: 2, ingress: [rule('Allow')] }),
        ]),
      ],
    };
    expect(serverIngress(set, fromClient).trace).toEqual([
      { tier: 't', policyId: 'log', ruleIndex: 0, action: 'Log' },
      { tier: 't', policyId: 'log', ruleIndex: 1, action: 'Allow' },
    ]);
    expect(serverIngress(set, fromOutside).trace.map((e) => [e.policyId, e.action])).toEqual([
      ['log', 'Log'],
      ['after', 'Allow'],
    ]);
  });

  it('a selecting tier with no matching rule applies its default: Deny ends, Pass goes on', () => {
    const denyDefault: PolicySet = { tiers: [tier('t', 100, 'Deny', [irPolicy('p1', { ingress: [onlyClient('Allow')] }), irPolicy('p2', { ingress: [] })])] };
    expect(serverIngress(denyDefault, fromOutside)).toEqual({
      verdict: 'deny',
      // Named after the tier's last selecting policy, as Calico's flow logs do for the end of a tier.
      trace: [{ tier: 't', policyId: 'p2', ruleIndex: 'default', action: 'Deny' }],
    });
    const passDefault: PolicySet = {
      tiers: [tier('adminnetworkpolicy', 1000, 'Pass', [irPolicy('anp', { ingress: [onlyClient('Deny')] })])],
    };
    expect(serverIngress(passDefault, fromOutside)).toEqual({
      verdict: 'allow',
      trace: [{ tier: 'adminnetworkpolicy', policyId: 'anp', ruleIndex: 'default', action: 'Pass' }],
    });
  });

  it('skips a tier whose policies do not select the endpoint, without its default', () => {
    const set: PolicySet = {
      tiers: [
        tier('elsewhere', 100, 'Deny', [
          irPolicy('client-only', { subject: { namespaceSelector: { op: 'all' }, podSelector: { op: 'eq', key: 'app', value: 'client' } }, ingress: [] }),
        ]),
        tier('egress-only', 200, 'Deny', [irPolicy('egress', { egress: [] })]),
      ],
    };
    expect(serverIngress(set, fromOutside)).toEqual({ verdict: 'allow', trace: [] });
  });

  it('a port condition never matches a packet without ports, and the protocol must match', () => {
    const set: PolicySet = {
      tiers: [
        tier('t', 100, 'Deny', [irPolicy('p', { subject: onlyServer, ingress: [rule('Allow', { ports: [{ protocol: 'TCP', port: 80, endPort: 90 }] })] })]),
      ],
    };
    expect(serverIngress(set, { remoteIp: '192.0.2.1', protocol: 'TCP', dstPort: 85 }).verdict).toBe('allow');
    expect(serverIngress(set, { remoteIp: '192.0.2.1', protocol: 'TCP', dstPort: 91 }).verdict).toBe('deny');
    expect(serverIngress(set, { remoteIp: '192.0.2.1', protocol: 'UDP', dstPort: 85 }).verdict).toBe('deny');
    expect(serverIngress(set, { remoteIp: '192.0.2.1', protocol: 'ICMP' }).verdict).toBe('deny');
  });

  it('matches ipBlock holes and both address families', () => {
    const set = policySet(
      networkPolicy('x', 'p', {
        podSelector: { matchLabels: { app: 'server' } },
        ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }, { podSelector: { matchLabels: { app: 'client' } } }] }],
      }),
    );
    const verdict = (remoteIp: string) => serverIngress(set, { remoteIp, protocol: 'TCP', dstPort: 80 }).verdict;
    expect(verdict('10.2.3.4')).toBe('allow');
    expect(verdict('10.1.3.4')).toBe('deny');
    expect(verdict('fd00::1')).toBe('allow');
    expect(verdict('fd00::3')).toBe('deny');
    expect(() => verdict('not-an-ip')).toThrow(/invalid remote address/);
  });

  describe('staged policies', () => {
    const stagedDeny = irPolicy('staged-deny', { order: 1, staged: true, ingress: [onlyClient('Deny')] });

    it('never change the verdict; their would-be verdict and trace are reported', () => {
      const set: PolicySet = { tiers: [tier('t', 100, 'Deny', [stagedDeny, irPolicy('allow', { order: 2, ingress: [rule('Allow')] })])] };
      expect(serverIngress(set, fromClient)).toEqual({
        verdict: 'allow',
        trace: [{ tier: 't', policyId: 'allow', ruleIndex: 0, action: 'Allow' }],
        stagedVerdict: 'deny',
        stagedTrace: [{ tier: 't', policyId: 'staged-deny', ruleIndex: 0, action: 'Deny' }],
      });
      expect(serverIngress(set, fromOutside)).toMatchObject({ verdict: 'allow', stagedVerdict: 'allow' });
    });

    it('selecting alone, they do not bring their tier default into enforcement', () => {
      const set: PolicySet = { tiers: [tier('t', 100, 'Deny', [stagedDeny])] };
      expect(serverIngress(set, fromOutside)).toEqual({
        verdict: 'allow',
        trace: [],
        stagedVerdict: 'deny',
        stagedTrace: [{ tier: 't', policyId: 'staged-deny', ruleIndex: 'default', action: 'Deny' }],
      });
    });

    it('without any, no staged verdict is reported', () => {
      expect(serverIngress(policySet(networkPolicy('x', 'p', {})), fromClient)).not.toHaveProperty('stagedVerdict');
    });
  });
});

describe('reachable', () => {
  it('needs the client egress and the server ingress to allow the connection', () => {
    const serverAdmitsClient = networkPolicy('x', 'server-in', {
      podSelector: { matchLabels: { app: 'server' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }],
    });
    const clientEgressNone = networkPolicy('x', 'client-out', { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'] });

    const open = reachable(inv, policySet(serverAdmitsClient), 'x/client', 'x/server', 80, 'TCP');
    expect(open.allowed).toBe(true);
    expect(open.ingress.trace).toEqual([{ tier: 'default', policyId: 'NetworkPolicy/x/server-in', ruleIndex: 0, action: 'Allow' }]);
    expect(reachable(inv, policySet(serverAdmitsClient), 'x/server', 'x/client', 80, 'TCP').allowed).toBe(true);

    const closed = reachable(inv, policySet(serverAdmitsClient, clientEgressNone), 'x/client', 'x/server', 80, 'TCP');
    expect(closed).toMatchObject({ allowed: false, egress: { verdict: 'deny' }, ingress: { verdict: 'allow' } });
    expect(reachable(inv, policySet(serverAdmitsClient), 'x/client', 'x/server', 80, 'TCP', { family: 6 }).allowed).toBe(true);
  });

  it('refuses unknown endpoints and a family an endpoint has no address of', () => {
    expect(() => reachable(inv, policySet(), 'x/client', 'x/nobody', 80, 'TCP')).toThrow(/unknown endpoint x\/nobody/);
    const v4only = inventory([pod('x/a'), pod('x/b')]);
    expect(() => reachable(v4only, policySet(), 'x/a', 'x/b', 80, 'TCP', { family: 6 })).toThrow(/no IPv6 address/);
  });
});
