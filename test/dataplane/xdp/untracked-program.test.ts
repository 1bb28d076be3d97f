// The host interfaces' XDP program on the real kernel, run on crafted frames (BPF_PROG_TEST_RUN):
// which frames its untracked Deny rules drop, which pass on to the stack, and which rule counts.
import { afterEach, expect, it } from 'vitest';
import { type LoadedXdpProgram, loadXdpProgram } from '../../../agent/datapath/xdp/load.ts';
import type { UntrackedRule } from '../../../agent/datapath/xdp/plan.ts';
import { buildXdpTables } from '../../../agent/datapath/xdp/tables.ts';
import { XdpAction } from '../../../bpf/kernel/constants.ts';
import { testRun } from '../../../bpf/kernel/testrun.ts';
import type { CidrSet, MatchTerm } from '../../../policy/evaluation/endpoint-policy.ts';
import { describeIf, NEEDS_KERNEL_BPF } from '../../support/needs.ts';
import { ethIpv4, kernelAvailable } from '../bpf/harness.ts';
import { asLaterIpv4Fragment, ethIpv6, type Ipv6Extension } from './frames.ts';

const loaded: LoadedXdpProgram[] = [];
afterEach(() => {
  for (const p of loaded.splice(0)) p.close();
});

const set = (...cidrs: [string, string[]?][]): CidrSet => cidrs.map(([cidr, except]) => ({ family: cidr.includes(':') ? 6 : 4, cidr, except: except ?? [] }));
const term = (remote: MatchTerm['remote'], extra: Partial<MatchTerm> = {}): MatchTerm => ({ protocol: 'any', ports: 'any', remote, ...extra });
const rule = (slot: number, ...terms: MatchTerm[]): UntrackedRule => ({ slot, tier: 'default', policyId: `GlobalNetworkPolicy/p${slot}`, ruleIndex: 0, terms });

function load(rules: UntrackedRule[]): LoadedXdpProgram {
  const tables = buildXdpTables(rules);
  if (!tables.ok) throw new Error(tables.message);
  const program = loadXdpProgram('pal_xdp_test', tables.tables, rules.length);
  loaded.push(program);
  return program;
}

const verdict = (p: LoadedXdpProgram, frame: Buffer): string => (testRun(p.program, { data: frame }).retval === XdpAction.DROP ? 'drop' : 'pass');

describeIf(kernelAvailable(), NEEDS_KERNEL_BPF)('untracked deny at XDP', () => {
  it('drops frames from a denied source net and passes the others, holes of the net included', () => {
    const p = load([rule(0, term(set(['203.0.113.0/24', ['203.0.113.128/25']])))]);
    expect(verdict(p, ethIpv4({ src: '203.0.113.7' }))).toBe('drop');
    expect(verdict(p, ethIpv4({ src: '203.0.113.200' }))).toBe('pass');
    expect(verdict(p, ethIpv4({ src: '198.51.100.1' }))).toBe('pass');
    expect(p.readCounters()).toEqual([{ packets: 1, bytes: ethIpv4({ src: '203.0.113.7' }).length }]);
  });

  it('checks protocol and destination ports, and counts the first rule that matches', () => {
    const udp53 = term(set(['10.0.0.0/8']), { protocol: 'UDP', ports: [{ first: 53, last: 53 }] });
    const tcpRange = term(set(['10.1.0.0/16']), { protocol: 'TCP', ports: [{ first: 8000, last: 8080 }] });
    const anyFrom = term(set(['10.1.2.0/24']));
    const p = load([rule(0, udp53), rule(1, tcpRange), rule(2, anyFrom)]);
    expect(verdict(p, ethIpv4({ src: '10.9.9.9', protocol: 17, dport: 53 }))).toBe('drop');
    expect(verdict(p, ethIpv4({ src: '10.9.9.9', protocol: 17, dport: 54 }))).toBe('pass');
    expect(verdict(p, ethIpv4({ src: '10.1.0.1', protocol: 6, dport: 8080 }))).toBe('drop');
    expect(verdict(p, ethIpv4({ src: '10.1.0.1', protocol: 6, dport: 8081 }))).toBe('pass');
    expect(verdict(p, ethIpv4({ src: '10.1.2.3', protocol: 6, dport: 22 }))).toBe('drop');
    expect(verdict(p, ethIpv4({ src: '10.1.2.3', protocol: 17, dport: 53 }))).toBe('drop'); // rule 0 first
    expect(p.readCounters().map((c) => c.packets)).toEqual([2, 1, 1]);
  });

  it('matches IPv6 sources and terms for any source', () => {
    const p = load([rule(0, term(set(['2001:db8::/32']))), rule(1, term('any', { protocol: 'UDP', ports: [{ first: 9, last: 9 }] }))]);
    expect(verdict(p, ethIpv6({ src: '2001:db8::5', dst: '2001:db9::1' }))).toBe('drop');
    expect(verdict(p, ethIpv6({ src: '2001:db9::5', dst: '2001:db9::1' }))).toBe('pass');
    expect(verdict(p, ethIpv6({ src: '2001:db9::5', dst: '2001:db9::1', dport: 9 }))).toBe('drop');
    expect(verdict(p, ethIpv4({ src: '192.0.2.1', protocol: 17, dport: 9 }))).toBe('drop');
    expect(verdict(p, ethIpv4({ src: '192.0.2.1', protocol: 6, dport: 9 }))).toBe('pass');
    expect(p.readCounters().map((c) => c.packets)).toEqual([1, 2]);
  });

  it('drops an IPv6 packet to a denied port behind a Destination Options header, from the denied net only', () => {
    const p = load([rule(0, term(set(['2001:db8::/32']), { protocol: 'UDP', ports: [{ first: 53, last: 53 }] }))]);
    const dstOpts: Ipv6Extension[] = [{ kind: 'destinationOptions' }];
    expect(verdict(p, ethIpv6({ src: '2001:db8::5', dst: '2001:db9::1', dport: 53, extensions: dstOpts }))).toBe('drop');
    expect(verdict(p, ethIpv6({ src: '2001:db8::5', dst: '2001:db9::1', dport: 54, extensions: dstOpts }))).toBe('pass');
    expect(verdict(p, ethIpv6({ src: '2001:db9::5', dst: '2001:db9::1', dport: 53, extensions: dstOpts }))).toBe('pass');
    // a first fragment carries the transport header: judged by its port
    const first: Ipv6Extension[] = [{ kind: 'fragment', offset: 0, more: true }];
    expect(verdict(p, ethIpv6({ src: '2001:db8::5', dst: '2001:db9::1', dport: 53, extensions: first }))).toBe('drop');
    expect(verdict(p, ethIpv6({ src: '2001:db8::5', dst: '2001:db9::1', dport: 54, extensions: first }))).toBe('pass');
    expect(p.readCounters().map((c) => c.packets)).toEqual([2]);
  });

  it('fails closed where ports cannot be known: later fragments and over-long IPv6 chains from a denied net drop', () => {
    const p = load([
      rule(0, term(set(['10.0.0.0/8'], ['2001:db8::/32']), { protocol: 'TCP', ports: [{ first: 22, last: 22 }] })),
      rule(1, term(set(['2001:db9:1::/48']), { protocol: 'ICMPv6' })),
    ]);
    // Whatever the payload bytes read as, a later fragment has no ports: a port term from its net holds.
    const tcpTo80 = ethIpv4({ src: '10.1.2.3', protocol: 6, dport: 80 });
    expect(verdict(p, asLaterIpv4Fragment(tcpTo80, 185))).toBe('drop');
    expect(verdict(p, asLaterIpv4Fragment(ethIpv4({ src: '192.0.2.1', protocol: 6, dport: 22 }), 185))).toBe('pass');
    expect(verdict(p, asLaterIpv4Fragment(ethIpv4({ src: '10.1.2.3', protocol: 17, dport: 22 }), 185))).toBe('pass'); // protocol still known
    // An IPv6 later fragment: its header names TCP, or a Destination Options header that hides the protocol.
    const later: Ipv6Extension[] = [{ kind: 'fragment', offset: 185 }];
    const hidden: Ipv6Extension[] = [{ kind: 'fragment', offset: 185 }, { kind: 'destinationOptions' }];
    expect(verdict(p, ethIpv6({ src: '2001:db8::5', dst: '2001:db9::1', protocol: 6, dport: 80, extensions: later }))).toBe('drop');
    expect(verdict(p, ethIpv6({ src: '2001:db8::5', dst: '2001:db9::1', protocol: 17, dport: 22, extensions: later }))).toBe('pass');
    expect(verdict(p, ethIpv6({ src: '2001:db8::5', dst: '2001:db9::1', protocol: 17, dport: 80, extensions: hidden }))).toBe('drop');
    expect(verdict(p, ethIpv6({ src: '2001:db9::5', dst: '2001:db9::1', protocol: 6, dport: 22, extensions: later }))).toBe('pass');
    // seven headers, one more than the walk follows: protocol and ports unknown, the ICMPv6 term holds too
    const seven: Ipv6Extension[] = Array(7).fill({ kind: 'destinationOptions' });
    expect(verdict(p, ethIpv6({ src: '2001:db9:1::5', dst: '2001:db9::1', dport: 80, extensions: seven }))).toBe('drop');
    expect(verdict(p, ethIpv6({ src: '2001:db9::5', dst: '2001:db9::1', dport: 22, extensions: seven }))).toBe('pass');
    // six are walked: the UDP header behind them is read, and UDP to 80 is no term's
    const six: Ipv6Extension[] = Array(6).fill({ kind: 'destinationOptions' });
    expect(verdict(p, ethIpv6({ src: '2001:db9:1::5', dst: '2001:db9::1', dport: 80, extensions: six }))).toBe('pass');
    // a Destination Options header claiming 88 bytes where the frame ends after 16: cut short
    const cutShort = ethIpv6({ src: '2001:db8::5', dst: '2001:db9::1', protocol: 17, dport: 80, extensions: [{ kind: 'destinationOptions' }] });
    cutShort.writeUInt8(10, 14 + 40 + 1);
    expect(verdict(p, cutShort)).toBe('drop');
    expect(p.readCounters().map((c) => c.packets)).toEqual([4, 1]);
  });

  it('passes what it does not parse: ARP, and frames too short for an IP header', () => {
    const p = load([rule(0, term('any'))]);
    const arp = Buffer.alloc(42);
    arp.writeUInt16BE(0x0806, 12);
    expect(verdict(p, arp)).toBe('pass');
    expect(verdict(p, ethIpv4({ src: '192.0.2.1' }))).toBe('drop');
  });
});
