// Verdicts of policy programs on crafted packets through BPF_PROG_TEST_RUN: every action, tier
// defaults, staged policies, IPv6 (with extension headers), SCTP, ICMP, failsafes. Each packet is
// a new flow (a fresh source port or address), so conntrack never answers for policy here.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIf, NEEDS_KERNEL_BPF } from '../../support/needs.ts';
import { kernelAvailable } from '../bpf/harness.ts';
import { createDatapath, type Datapath } from './support/harness.ts';
import { arp, EtherType, ethernet, type Ipv6Ext, icmp, icmpv6, ipPacket, ipv4, Proto, rawTransport, sctp, tcp, udp } from './support/packets.ts';
import { cidrs, directionPolicy, policy, rule, term, tier } from './support/policies.ts';

const POD = '198.18.0.10';
const POD6 = 'fd00::10';
let nextPort = 30000;
/** A new flow into the pod (ingress policy: the remote end is the source). */
const into = (remote: string, l4: (sport: number) => ReturnType<typeof tcp>) => ipPacket(remote, remote.includes(':') ? POD6 : POD, l4(nextPort++));
/** A new flow out of the pod (egress policy: the remote end is the destination). */
const outOf = (remote: string, l4: (sport: number) => ReturnType<typeof tcp>) => ipPacket(remote.includes(':') ? POD6 : POD, remote, l4(nextPort++));

describeIf(kernelAvailable(), NEEDS_KERNEL_BPF)('policy verdicts through BPF_PROG_TEST_RUN', () => {
  let dp: Datapath;
  beforeAll(() => {
    dp = createDatapath();
  });
  afterAll(() => dp?.close());

  it('allows everything, and reports new flows, when no policy selects the direction', () => {
    const program = dp.load('ingress', null);
    const result = dp.run(
      program,
      into('192.0.2.1', (p) => tcp(p, 80)),
    );
    expect(result.outcome).toBe('allow');
    expect(result.events).toMatchObject([{ kind: 'allowed', verdict: 'allow', rule: null, direction: 'ingress', remote: '192.0.2.1', localPort: 80 }]);
  });

  it('Allow by protocol, port range and CIDR with holes; anything else falls to the tier default Deny', () => {
    const program = dp.load(
      'ingress',
      directionPolicy('ingress', [
        tier('default', 'Deny', [
          policy('np', [
            rule(
              'Allow',
              term(
                'TCP',
                [
                  [80, 81],
                  [8080, 8090],
                ],
                cidrs('198.18.0.0/16 except 198.18.1.0/24'),
              ),
            ),
          ]),
        ]),
      ]),
    );
    const allowRule = { tier: 'default', policyId: 'np', ruleIndex: 0, action: 'Allow' };
    const defaultDeny = { tier: 'default', policyId: 'np', ruleIndex: 'default', action: 'Deny' };
    const cases: [string, Buffer, 'allow' | 'drop'][] = [
      ['first port of the first range', into('198.18.7.7', (p) => tcp(p, 80)), 'allow'],
      ['last port of the first range', into('198.18.7.7', (p) => tcp(p, 81)), 'allow'],
      ['inside the second range', into('198.18.7.7', (p) => tcp(p, 8085)), 'allow'],
      ['between the ranges', into('198.18.7.7', (p) => tcp(p, 82)), 'drop'],
      ['above the ranges', into('198.18.7.7', (p) => tcp(p, 8091)), 'drop'],
      ['in the except hole', into('198.18.1.9', (p) => tcp(p, 80)), 'drop'],
      ['outside the CIDR', into('198.19.0.1', (p) => tcp(p, 80)), 'drop'],
      ['UDP on an allowed TCP port', into('198.18.7.7', (p) => udp(p, 80)), 'drop'],
    ];
    for (const [what, packet, expected] of cases) {
      const result = dp.run(program, packet);
      expect(result.outcome, what).toBe(expected);
      expect(result.events, what).toMatchObject([
        expected === 'allow' ? { kind: 'allowed', verdict: 'allow', rule: allowRule } : { kind: 'denied', verdict: 'deny', rule: defaultDeny },
      ]);
    }
  });

  it('finds the ports after IPv4 options (IHL > 5)', () => {
    const program = dp.load('ingress', directionPolicy('ingress', [tier('default', 'Deny', [policy('np', [rule('Allow', term('UDP', [[53, 53]]))])])]));
    const withOptions = (dport: number) => ipPacket('192.0.2.1', POD, udp(nextPort++, dport), { v4: { options: Buffer.from([1, 1, 1, 0, 0x94, 4, 0, 0]) } });
    expect(dp.run(program, withOptions(53))).toMatchObject({ outcome: 'allow', events: [{ localPort: 53 }] });
    expect(dp.run(program, withOptions(54)).outcome).toBe('drop');
  });

  it('the first matching rule decides: Deny before a later Allow', () => {
    const program = dp.load(
      'ingress',
      directionPolicy('ingress', [tier('t', 'Deny', [policy('p1', [rule('Deny', term('TCP', [[22, 22]]))]), policy('p2', [rule('Allow')])])]),
    );
    expect(
      dp.run(
        program,
        into('192.0.2.1', (p) => tcp(p, 22)),
      ).events[0],
    ).toMatchObject({ verdict: 'deny', rule: { policyId: 'p1', ruleIndex: 0 } });
    expect(
      dp.run(
        program,
        into('192.0.2.1', (p) => tcp(p, 23)),
      ).events[0],
    ).toMatchObject({ verdict: 'allow', rule: { policyId: 'p2', ruleIndex: 0 } });
  });

  it('Pass skips the rest of its tier (default included) and evaluation goes on in the next tier', () => {
    const program = dp.load(
      'ingress',
      directionPolicy('ingress', [
        tier('security', 'Deny', [policy('pass-internal', [rule('Pass', term('any', 'any', cidrs('10.0.0.0/8')))]), policy('deny-rest', [rule('Deny')])], 100),
        tier('default', 'Deny', [policy('web', [rule('Allow', term('TCP', [[443, 443]]))])], 1000),
      ]),
    );
    expect(
      dp.run(
        program,
        into('10.1.1.1', (p) => tcp(p, 443)),
      ).events[0],
    ).toMatchObject({ verdict: 'allow', rule: { tier: 'default', policyId: 'web' } });
    expect(
      dp.run(
        program,
        into('10.1.1.1', (p) => tcp(p, 80)),
      ).events[0],
    ).toMatchObject({ verdict: 'deny', rule: { tier: 'default', ruleIndex: 'default' } });
    expect(
      dp.run(
        program,
        into('192.0.2.1', (p) => tcp(p, 443)),
      ).events[0],
    ).toMatchObject({ verdict: 'deny', rule: { tier: 'security', policyId: 'deny-rest' } });
    const passSlot = program.compiled.slots.find((s) => s.action === 'Pass')!.slot;
    expect(program.readCounters().get(passSlot)?.packets).toBe(2n);
  });

  it('Log records a flow event and evaluation continues with the next rule', () => {
    const program = dp.load(
      'egress',
      directionPolicy('egress', [tier('t', 'Deny', [policy('audit', [rule('Log', term('UDP')), rule('Allow', term('UDP', [[53, 53]]))])])]),
    );
    const dns = dp.run(
      program,
      outOf('192.0.2.53', (p) => udp(p, 53)),
    );
    expect(dns.outcome).toBe('allow');
    expect(dns.events.map((e) => [e.kind, e.rule?.ruleIndex])).toEqual([
      ['logged', 0],
      ['allowed', 1],
    ]);
    expect(dns.events[1]).toMatchObject({ direction: 'egress', remote: '192.0.2.53', remotePort: 53 });
    const other = dp.run(
      program,
      outOf('192.0.2.53', (p) => udp(p, 54)),
    );
    expect(other.outcome).toBe('drop');
    expect(other.events.map((e) => e.kind)).toEqual(['logged', 'denied']);
  });

  it('a tier whose default is Pass hands over to the next tier; passing every tier allows', () => {
    const program = dp.load(
      'ingress',
      directionPolicy('ingress', [
        tier('adminnetworkpolicy', 'Pass', [policy('anp', [rule('Deny', term('TCP', [[25, 25]]))])], 1000),
        tier('baselineadminnetworkpolicy', 'Pass', [policy('banp', [rule('Deny', term('TCP', [[26, 26]]))])], 10_000_000),
      ]),
    );
    expect(
      dp.run(
        program,
        into('192.0.2.1', (p) => tcp(p, 25)),
      ).outcome,
    ).toBe('drop');
    expect(
      dp.run(
        program,
        into('192.0.2.1', (p) => tcp(p, 26)),
      ).outcome,
    ).toBe('drop');
    const passed = dp.run(
      program,
      into('192.0.2.1', (p) => tcp(p, 27)),
    );
    expect(passed.outcome).toBe('allow');
    expect(passed.events).toMatchObject([{ kind: 'allowed', rule: null }]);
  });

  it('staged policies never change the verdict; their would-be verdict is in the flow event', () => {
    const program = dp.load(
      'ingress',
      directionPolicy('ingress', [
        tier('default', 'Deny', [policy('staged-deny-ssh', [rule('Deny', term('TCP', [[22, 22]]))], true), policy('allow-all', [rule('Allow')])]),
        // a tier selecting the endpoint only through a staged policy: skipped by enforcement
        tier('later', 'Deny', [policy('staged-only', [rule('Allow', term('TCP', [[80, 80]]))], true)], 2_000_000),
      ]),
    );
    const ssh = dp.run(
      program,
      into('192.0.2.1', (p) => tcp(p, 22)),
    );
    expect(ssh.outcome).toBe('allow');
    expect(ssh.events).toMatchObject([
      { verdict: 'allow', rule: { policyId: 'allow-all' }, staged: { verdict: 'deny', rule: { policyId: 'staged-deny-ssh', ruleIndex: 0 } } },
    ]);
    const web = dp.run(
      program,
      into('192.0.2.1', (p) => tcp(p, 80)),
    );
    expect(web.events).toMatchObject([{ verdict: 'allow', staged: { verdict: 'allow', rule: { policyId: 'allow-all' } } }]);

    const stagedOnly = dp.load(
      'ingress',
      directionPolicy('ingress', [tier('default', 'Deny', [policy('staged-isolation', [rule('Allow', term('TCP', [[80, 80]]))], true)])]),
    );
    const denied = dp.run(
      stagedOnly,
      into('192.0.2.1', (p) => tcp(p, 81)),
    );
    expect(denied.outcome).toBe('allow');
    expect(denied.events).toMatchObject([
      { verdict: 'allow', rule: null, staged: { verdict: 'deny', rule: { policyId: 'staged-isolation', ruleIndex: 'default' } } },
    ]);
  });

  it('IPv6: addresses, holes and ports, through hop-by-hop, routing, destination options and AH headers', () => {
    const program = dp.load(
      'ingress',
      directionPolicy('ingress', [
        tier('default', 'Deny', [
          policy('v6', [rule('Allow', term('TCP', [[443, 443]], cidrs('2001:db8::/32 except 2001:db8:bad::/48')), term('UDP', 'any', cidrs('198.18.0.0/15')))]),
        ]),
      ]),
    );
    expect(
      dp.run(
        program,
        into('2001:db8:1::1', (p) => tcp(p, 443)),
      ).outcome,
    ).toBe('allow');
    expect(
      dp.run(
        program,
        into('2001:db8:bad::1', (p) => tcp(p, 443)),
      ).outcome,
    ).toBe('drop');
    expect(
      dp.run(
        program,
        into('2001:db9::1', (p) => tcp(p, 443)),
      ).outcome,
    ).toBe('drop');
    expect(
      dp.run(
        program,
        into('2001:db8:1::1', (p) => tcp(p, 444)),
      ).outcome,
    ).toBe('drop');
    // an IPv6 packet never matches an IPv4 set, whatever its bits
    expect(
      dp.run(
        program,
        into('c612::1', (p) => udp(p, 53)),
      ).outcome,
    ).toBe('drop');
    const withExt = (ext: Ipv6Ext[], port: number) => ipPacket('2001:db8:1::1', POD6, tcp(nextPort++, port), { ext });
    const chain: Ipv6Ext[] = [{ type: 'hop-by-hop' }, { type: 'routing', length: 2 }, { type: 'ah', length: 4 }, { type: 'destination', length: 1 }];
    const allowed = dp.run(program, withExt(chain, 443));
    expect(allowed.outcome).toBe('allow');
    expect(allowed.events[0]).toMatchObject({ family: 6, protocol: Proto.TCP, localPort: 443, remote: '2001:db8:1::1', local: 'fd00::10' });
    expect(dp.run(program, withExt(chain, 444)).outcome).toBe('drop');
  });

  it('SCTP: ports at the TCP/UDP offsets, matched only by SCTP terms', () => {
    const program = dp.load(
      'ingress',
      directionPolicy('ingress', [
        tier('default', 'Deny', [policy('sctp', [rule('Allow', term('SCTP', [[9000, 9000]])), rule('Allow', term('TCP', [[9001, 9001]]))])]),
      ]),
    );
    const allowed = dp.run(
      program,
      into('192.0.2.1', (p) => sctp(p, 9000)),
    );
    expect(allowed.outcome).toBe('allow');
    expect(allowed.events[0]).toMatchObject({ protocol: Proto.SCTP, localPort: 9000, rule: { ruleIndex: 0 } });
    expect(
      dp.run(
        program,
        into('192.0.2.1', (p) => sctp(p, 9001)),
      ).outcome,
    ).toBe('drop');
    expect(
      dp.run(
        program,
        into('2001:db8::1', (p) => sctp(p, 9000)),
      ).outcome,
    ).toBe('allow');
    expect(
      dp.run(
        program,
        into('2001:db8::1', (p) => sctp(p, 9002)),
      ).outcome,
    ).toBe('drop');
  });

  it('ICMP has no ports: protocol terms match it, port terms never do', () => {
    const program = dp.load(
      'egress',
      directionPolicy('egress', [tier('default', 'Deny', [policy('icmp', [rule('Allow', term('ICMP')), rule('Allow', term('ICMPv6', [[1, 65535]]))])])]),
    );
    const ping = dp.run(program, ipPacket(POD, '192.0.2.1', icmp(8, nextPort++)));
    expect(ping.outcome).toBe('allow');
    expect(ping.events[0]).toMatchObject({ protocol: Proto.ICMP, icmpType: 8 });
    expect(dp.run(program, ipPacket(POD6, '2001:db8::1', icmpv6(128, nextPort++))).outcome).toBe('drop');
  });

  it('protocols without ports (GRE) match only terms without a protocol', () => {
    const anyFromNet = dp.load(
      'ingress',
      directionPolicy('ingress', [tier('default', 'Deny', [policy('p', [rule('Allow', term('any', 'any', cidrs('192.0.2.0/24')))])])]),
    );
    const tcpOnly = dp.load('ingress', directionPolicy('ingress', [tier('default', 'Deny', [policy('p', [rule('Allow', term('TCP'))])])]));
    const gre = (src: string) => ipPacket(src, POD, rawTransport(Proto.GRE));
    expect(dp.run(anyFromNet, gre('192.0.2.1')).outcome).toBe('allow');
    expect(dp.run(anyFromNet, gre('192.0.3.1')).outcome).toBe('drop');
    expect(dp.run(tcpOnly, gre('192.0.2.2')).outcome).toBe('drop');
  });

  it('passes ND/MLD, ARP and other EtherTypes whatever the policy; drops VLAN-tagged frames', () => {
    const denyAll = dp.load('ingress', directionPolicy('ingress', [tier('default', 'Deny', [policy('deny-all', [])])]));
    const before = dp.stats();
    for (const type of [133, 134, 135, 136, 137, 130, 143]) {
      expect(dp.run(denyAll, ipPacket('fe80::1', 'ff02::1:ff00:10', icmpv6(type))).outcome, `ICMPv6 type ${type}`).toBe('allow');
    }
    expect(dp.run(denyAll, ipPacket('2001:db8::1', POD6, icmpv6(128))).outcome).toBe('drop');
    expect(dp.run(denyAll, arp()).outcome).toBe('allow');
    const tagged = ethernet(EtherType.VLAN, Buffer.concat([Buffer.from([0, 5, 0x08, 0x00]), ipv4({ src: '192.0.2.1', dst: POD }, tcp(1, 80))]));
    expect(dp.run(denyAll, tagged).outcome).toBe('drop');
    const after = dp.stats();
    expect(after.nd_failsafe - before.nd_failsafe).toBe(7);
    expect(after.non_ip_passed - before.non_ip_passed).toBe(1);
    expect(after.vlan_dropped - before.vlan_dropped).toBe(1);
  });

  it('counts packets and bytes per deciding rule', () => {
    const program = dp.load('ingress', directionPolicy('ingress', [tier('default', 'Deny', [policy('p', [rule('Allow', term('UDP', [[53, 53]]))])])]));
    const packet = into('192.0.2.1', (p) => udp(p, 53));
    dp.run(program, packet);
    dp.run(
      program,
      into('192.0.2.1', (p) => udp(p, 54)),
    );
    dp.run(
      program,
      into('192.0.2.1', (p) => udp(p, 55)),
    );
    const counters = program.readCounters();
    const slot = (index: number | 'default') => program.compiled.slots.find((s) => s.ruleIndex === index)!.slot;
    expect(counters.get(slot(0))).toEqual({ packets: 1n, bytes: BigInt(packet.length) });
    expect(counters.get(slot('default'))?.packets).toBe(2n);
  });
});
