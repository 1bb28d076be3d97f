// Malformed packets get a defined verdict: drop, counted by reason. One case per header that can
// be cut short or be inconsistent. (BPF_PROG_TEST_RUN itself refuses IPv4 frames shorter than an
// IPv4 header and IPv6 frames shorter than an IPv6 header, so those truncations are not craftable.)
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StatReason } from '../../../agent/datapath/layouts.ts';
import { describeIf, NEEDS_KERNEL_BPF } from '../../support/needs.ts';
import { kernelAvailable } from '../bpf/harness.ts';
import { createDatapath, type Datapath } from './support/harness.ts';
import { EtherType, ethernet, icmp, icmpv6, ipv4, ipv6, sctp, tcp, truncated, udp } from './support/packets.ts';
import { directionPolicy, policy, tier } from './support/policies.ts';

const SRC = '192.0.2.1';
const POD = '198.18.0.10';
const SRC6 = '2001:db8::1';
const POD6 = 'fd00::10';
const v4 = (l4: Parameters<typeof ipv4>[1], o: Partial<Parameters<typeof ipv4>[0]> = {}) => ethernet(EtherType.IPV4, ipv4({ src: SRC, dst: POD, ...o }, l4));
const v6 = (l4: Parameters<typeof ipv6>[1], o: Partial<Parameters<typeof ipv6>[0]> = {}) => ethernet(EtherType.IPV6, ipv6({ src: SRC6, dst: POD6, ...o }, l4));

const CASES: [string, StatReason, Buffer][] = [
  ['IPv4 version 5', 'malformed_ipv4', v4(tcp(1, 80), { versionIhl: 0x55 })],
  ['IPv4 IHL 4 (< 20 bytes)', 'malformed_ipv4', v4(tcp(1, 80), { versionIhl: 0x44 })],
  ['IPv4 options past the end', 'malformed_ipv4', truncated(v4(udp(1, 53), { options: Buffer.alloc(40) }), 14 + 40)],
  ['TCP header cut at 12 bytes', 'malformed_l4', truncated(v4(tcp(1, 80)), 14 + 20 + 12)],
  ['TCP header after IPv4 options, cut', 'malformed_l4', truncated(v4(tcp(1, 80), { options: Buffer.alloc(8) }), 14 + 28 + 19)],
  ['UDP header cut at 6 bytes', 'malformed_l4', truncated(v4(udp(1, 53)), 14 + 20 + 6)],
  ['SCTP common header cut at 10 bytes', 'malformed_l4', truncated(v4(sctp(1, 9)), 14 + 20 + 10)],
  ['ICMP header cut at 4 bytes', 'malformed_l4', truncated(v4(icmp(8)), 14 + 20 + 4)],
  ['IPv4 first fragment too short for its TCP header', 'malformed_l4', truncated(v4(tcp(1, 80), { moreFragments: true }), 14 + 20 + 8)],
  ['IPv6 version 4', 'malformed_ipv6', v6(tcp(1, 80), { versionByte: 0x40 })],
  ['IPv6 hop-by-hop header cut', 'malformed_ipv6', truncated(v6(tcp(1, 80), { ext: [{ type: 'hop-by-hop' }] }), 14 + 40 + 4)],
  ['IPv6 routing header longer than the packet', 'malformed_ipv6', truncated(v6(tcp(1, 80), { ext: [{ type: 'routing', length: 8 }] }), 14 + 40 + 16)],
  ['IPv6 fragment header cut', 'malformed_ipv6', truncated(v6(udp(1, 53), { ext: [{ type: 'fragment', offset: 0, more: true, id: 1 }] }), 14 + 40 + 6)],
  ['TCP after IPv6 destination options, cut', 'malformed_l4', truncated(v6(tcp(1, 80), { ext: [{ type: 'destination' }] }), 14 + 40 + 8 + 10)],
  ['UDP in IPv6 cut', 'malformed_l4', truncated(v6(udp(1, 53)), 14 + 40 + 4)],
  ['ICMPv6 cut', 'malformed_l4', truncated(v6(icmpv6(128)), 14 + 40 + 2)],
  ['7 IPv6 extension headers', 'ipv6_ext_limit', v6(tcp(1, 80), { ext: Array.from({ length: 7 }, () => ({ type: 'destination' as const })) })],
];

describeIf(kernelAvailable(), NEEDS_KERNEL_BPF)('malformed packets', () => {
  let dp: Datapath;
  let allowAll: ReturnType<Datapath['load']>;
  beforeAll(() => {
    dp = createDatapath();
    allowAll = dp.load('ingress', null); // even a program that allows everything drops them
  });
  afterAll(() => dp?.close());

  it.each(CASES)('%s: dropped, counted as %s', (_, reason, packet) => {
    const before = dp.stats();
    const result = dp.run(allowAll, packet);
    expect(result.outcome).toBe('drop');
    expect(result.events).toEqual([]);
    const after = dp.stats();
    expect(after[reason] - before[reason]).toBe(1);
  });

  it('accepts the longest chain it allows (6 extension headers) and parses the ports after it', () => {
    const six = v6(tcp(1, 80), {
      ext: [
        { type: 'hop-by-hop' },
        { type: 'destination' },
        { type: 'routing' },
        { type: 'fragment', offset: 0, more: false, id: 9 },
        { type: 'ah' },
        { type: 'destination' },
      ],
    });
    // A denied flow's event carries both ports as parsed (an allowed one is counted per server port);
    // denied first, before the allowed run records the flow in conntrack.
    const denyAll = dp.load('ingress', directionPolicy('ingress', [tier('default', 'Deny', [policy('deny-all', [])])]));
    const denied = dp.run(denyAll, six);
    expect(denied.outcome).toBe('drop');
    expect(denied.events).toMatchObject([{ kind: 'denied', localPort: 80, remotePort: 1 }]);
    expect(dp.run(allowAll, six).outcome).toBe('allow');
  });
});
