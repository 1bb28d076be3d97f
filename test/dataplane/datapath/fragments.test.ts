// IP fragments: a datagram gets its first fragment's verdict; later fragments without an admitted
// first fragment are dropped (see agent/datapath/codegen/fragments.ts for why).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIf, NEEDS_KERNEL_BPF } from '../../support/needs.ts';
import { kernelAvailable } from '../bpf/harness.ts';
import { createDatapath, type Datapath } from './support/harness.ts';
import { EtherType, ethernet, ipv4, ipv6, Proto, rawTransport, udp } from './support/packets.ts';
import { directionPolicy, policy, rule, term, tier } from './support/policies.ts';

const POD = '198.18.0.10';
const POD6 = 'fd00::10';

describeIf(kernelAvailable(), NEEDS_KERNEL_BPF)('fragments', () => {
  let dp: Datapath;
  let program: ReturnType<Datapath['load']>;
  beforeAll(() => {
    dp = createDatapath();
    program = dp.load('ingress', directionPolicy('ingress', [tier('default', 'Deny', [policy('dns', [rule('Allow', term('UDP', [[53, 53]]))])])]));
  });
  afterAll(() => dp?.close());

  const v4 = (id: number, offset: number, more: boolean, dport = 53) =>
    ethernet(
      EtherType.IPV4,
      ipv4(
        { src: '192.0.2.1', dst: POD, id, fragmentOffset: offset, moreFragments: more },
        offset === 0 ? udp(5353, dport, Buffer.alloc(24)) : rawTransport(Proto.UDP, Buffer.alloc(24)),
      ),
    );
  const v6 = (id: number, offset: number, more: boolean, dport = 53) =>
    ethernet(
      EtherType.IPV6,
      ipv6(
        { src: '2001:db8::1', dst: POD6, ext: [{ type: 'fragment', offset, more, id }] },
        offset === 0 ? udp(5353, dport, Buffer.alloc(24)) : rawTransport(Proto.UDP, Buffer.alloc(24)),
      ),
    );

  it.each([
    ['IPv4', v4],
    ['IPv6', v6],
  ] as const)('%s: later fragments follow an admitted first fragment, orphans and fragments of a denied datagram are dropped', (_, fragment) => {
    const stats0 = dp.stats();
    // allowed datagram: first fragment evaluated (event), later ones admitted without policy
    const first = dp.run(program, fragment(0x1001, 0, true));
    expect(first.outcome).toBe('allow');
    expect(first.events).toMatchObject([{ kind: 'allowed', localPort: 53 }]);
    expect(dp.run(program, fragment(0x1001, 32, true)).outcome).toBe('allow');
    expect(dp.run(program, fragment(0x1001, 64, false))).toMatchObject({ outcome: 'allow', events: [] });
    // a later fragment of a datagram never seen
    expect(dp.run(program, fragment(0x1002, 32, false)).outcome).toBe('drop');
    // denied datagram (port 54): first fragment denied, the rest follows it
    expect(dp.run(program, fragment(0x1003, 0, true, 54)).outcome).toBe('drop');
    expect(dp.run(program, fragment(0x1003, 32, false)).outcome).toBe('drop');
    const stats1 = dp.stats();
    expect(stats1.fragment_admitted - stats0.fragment_admitted).toBe(2);
    expect(stats1.fragment_orphan - stats0.fragment_orphan).toBe(2);
  });

  it('treats an IPv6 atomic fragment (offset 0, no more fragments) as a whole datagram', () => {
    expect(dp.run(program, v6(0x2001, 0, false)).outcome).toBe('allow');
    expect(dp.run(program, v6(0x2002, 0, false, 54)).outcome).toBe('drop');
  });
});
