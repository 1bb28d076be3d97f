// Conntrack through BPF_PROG_TEST_RUN: replies pass without policy, entries are per endpoint
// interface, TCP RST opens nothing, FIN/RST shorten an entry's life, idle entries expire.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { findCt4Entry, updateCt4Entry } from '../../../agent/datapath/ct4-table.ts';
import { CtKey } from '../../../agent/datapath/layouts.ts';
import { CT_TIMEOUT_OTHER_NS, CT_TIMEOUT_TCP_CLOSING_NS } from '../../../agent/datapath/limits.ts';
import { ifindexOf, withNetns } from '../../../bpf/kernel/netns.ts';
import { describeIf, NEEDS_KERNEL_BPF } from '../../support/needs.ts';
import { kernelAvailable, uniqueSuffix } from '../bpf/harness.ts';
import { createDatapath, type Datapath } from './support/harness.ts';
import { addressBytes, icmp, ipPacket, TcpFlag, tcp, udp } from './support/packets.ts';
import { directionPolicy, policy, rule, term, tier } from './support/policies.ts';

const POD = '198.18.0.10';
const SERVER = '192.0.2.80';

describeIf(kernelAvailable(), NEEDS_KERNEL_BPF)('conntrack', () => {
  let dp: Datapath;
  // the pod's two programs: egress allows TCP/80 and UDP/53 and ICMP out; ingress denies everything
  let fromPod: ReturnType<Datapath['load']>;
  let toPod: ReturnType<Datapath['load']>;
  beforeAll(() => {
    dp = createDatapath();
    fromPod = dp.load(
      'egress',
      directionPolicy('egress', [tier('default', 'Deny', [policy('out', [rule('Allow', term('TCP', [[80, 80]]), term('UDP', [[53, 53]]), term('ICMP'))])])]),
    );
    toPod = dp.load('ingress', directionPolicy('ingress', [tier('default', 'Deny', [policy('deny-all', [])])]));
  });
  afterAll(() => dp?.close());

  it('lets the replies of an allowed connection in, and nothing else', () => {
    const syn = dp.run(fromPod, ipPacket(POD, SERVER, tcp(41000, 80, TcpFlag.SYN)));
    expect(syn.outcome).toBe('allow');
    expect(syn.events).toMatchObject([{ kind: 'allowed', direction: 'egress' }]);
    const synAck = dp.run(toPod, ipPacket(SERVER, POD, tcp(80, 41000, TcpFlag.SYN | TcpFlag.ACK)));
    expect(synAck.outcome).toBe('allow');
    expect(synAck.events).toEqual([]); // established: no policy, no event
    expect(dp.run(fromPod, ipPacket(POD, SERVER, tcp(41000, 80, TcpFlag.ACK))).events).toEqual([]);
    // same server, another port pair: a new flow, and ingress denies it
    expect(dp.run(toPod, ipPacket(SERVER, POD, tcp(80, 41001, TcpFlag.SYN | TcpFlag.ACK))).outcome).toBe('drop');
    expect(dp.run(toPod, ipPacket(SERVER, POD, tcp(41000, 80, TcpFlag.SYN))).outcome).toBe('drop');
  });

  it('matches ICMP echo replies by identifier and UDP replies by ports', () => {
    expect(dp.run(fromPod, ipPacket(POD, SERVER, icmp(8, 0x77))).outcome).toBe('allow');
    expect(dp.run(toPod, ipPacket(SERVER, POD, icmp(0, 0x77))).outcome).toBe('allow');
    expect(dp.run(toPod, ipPacket(SERVER, POD, icmp(0, 0x78))).outcome).toBe('drop');
    expect(dp.run(fromPod, ipPacket(POD, '192.0.2.53', udp(42000, 53))).outcome).toBe('allow');
    expect(dp.run(toPod, ipPacket('192.0.2.53', POD, udp(53, 42000))).outcome).toBe('allow');
    expect(dp.run(toPod, ipPacket('192.0.2.53', POD, udp(53, 42001))).outcome).toBe('drop');
  });

  it('does not track an allowed packet carrying RST', () => {
    expect(dp.run(fromPod, ipPacket(POD, SERVER, tcp(43000, 80, TcpFlag.RST))).outcome).toBe('allow');
    expect(dp.run(toPod, ipPacket(SERVER, POD, tcp(80, 43000, TcpFlag.ACK))).outcome).toBe('drop');
  });

  const entryKey = (lport: number, rport: number, ifindex = 1) => ({
    ifindex,
    proto: 6,
    lport,
    rport,
    local: Buffer.from([198, 18, 0, 10]),
    remote: Buffer.from([192, 0, 2, 80]),
  });

  it('tracks IPv6 flows in their own table under the 16-byte-address key', () => {
    const pod6 = 'fd00::10';
    const server6 = 'fd00::80';
    expect(dp.run(fromPod, ipPacket(pod6, server6, tcp(47000, 80, TcpFlag.SYN))).outcome).toBe('allow');
    expect(dp.run(toPod, ipPacket(server6, pod6, tcp(80, 47000, TcpFlag.SYN | TcpFlag.ACK))).outcome).toBe('allow');
    expect(dp.run(toPod, ipPacket(server6, pod6, tcp(80, 47001, TcpFlag.SYN | TcpFlag.ACK))).outcome).toBe('drop');
    const key = CtKey.encode({
      ifindex: 1,
      proto: 6,
      family: 6,
      pad: 0,
      lport: 47000,
      rport: 80,
      local: addressBytes(pod6),
      remote: addressBytes(server6),
    });
    expect(dp.shared.conntrack6.lookup(key)).toBeDefined();
    // the IPv4 table holds only IPv4 flows
    expect(findCt4Entry(dp.shared.conntrack, entryKey(47000, 80))).toBeUndefined();
  });

  it('marks an entry closing on RST, and a new SYN on a closing entry is evaluated as new', () => {
    expect(dp.run(fromPod, ipPacket(POD, SERVER, tcp(44000, 80, TcpFlag.SYN))).outcome).toBe('allow');
    expect(dp.run(toPod, ipPacket(SERVER, POD, tcp(80, 44000, TcpFlag.RST | TcpFlag.ACK))).outcome).toBe('allow');
    const { entry } = findCt4Entry(dp.shared.conntrack, entryKey(44000, 80))!;
    expect(entry.flags & 0x04).toBe(0x04);
    // the pod reuses the ports: its egress policy is asked again (and allows), a SYN from outside is not
    expect(dp.run(toPod, ipPacket(SERVER, POD, tcp(80, 44000, TcpFlag.SYN))).outcome).toBe('drop');
    const again = dp.run(fromPod, ipPacket(POD, SERVER, tcp(44000, 80, TcpFlag.SYN)));
    expect(again.events).toMatchObject([{ kind: 'allowed' }]);
  });

  it('expires idle entries: the next packet is evaluated by policy again', () => {
    expect(dp.run(fromPod, ipPacket(POD, SERVER, tcp(45000, 80, TcpFlag.SYN))).outcome).toBe('allow');
    const found = findCt4Entry(dp.shared.conntrack, entryKey(45000, 80))!;
    // pretend it was last seen longer ago than any timeout
    const old = found.entry.lastSeen - CT_TIMEOUT_OTHER_NS - CT_TIMEOUT_TCP_CLOSING_NS - 3600n * 1_000_000_000n - 1n;
    updateCt4Entry(dp.shared.conntrack, found, { lastSeen: BigInt.asUintN(64, old) }); // may wrap: ages are signed
    expect(dp.run(toPod, ipPacket(SERVER, POD, tcp(80, 45000, TcpFlag.ACK))).outcome).toBe('drop');
  });

  it("keeps endpoints apart: one interface's entry admits nothing at another", () => {
    const ns = `palisade-dp-ct-${uniqueSuffix()}`;
    execFileSync('ip', ['netns', 'add', ns]);
    try {
      execFileSync('ip', ['-n', ns, 'link', 'add', 'ep-a', 'type', 'veth', 'peer', 'name', 'ep-b']);
      const [a, b] = withNetns(ns, () => [ifindexOf('ep-a'), ifindexOf('ep-b')]);
      const inNs = <T>(fn: () => T): T => withNetns(ns, fn);
      // pod A (ifindex a) opens a connection; the same 5-tuple at pod B's interface is a new flow
      expect(inNs(() => dp.run(fromPod, ipPacket(POD, SERVER, tcp(46000, 80)), { ifindex: a })).outcome).toBe('allow');
      expect(inNs(() => dp.run(toPod, ipPacket(SERVER, POD, tcp(80, 46000, TcpFlag.SYN | TcpFlag.ACK)), { ifindex: b })).outcome).toBe('drop');
      expect(inNs(() => dp.run(toPod, ipPacket(SERVER, POD, tcp(80, 46000, TcpFlag.SYN | TcpFlag.ACK)), { ifindex: a })).outcome).toBe('allow');
      expect(findCt4Entry(dp.shared.conntrack, entryKey(46000, 80, a))).toBeDefined();
    } finally {
      execFileSync('ip', ['netns', 'del', ns]);
    }
  });
});
