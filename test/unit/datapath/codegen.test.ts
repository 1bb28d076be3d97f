// The policy program generator without a kernel: structure, labels, limits, linking, layouts.
import { describe, expect, it } from 'vitest';
import { encodeLpmEntry, IpSetTable, setWord } from '../../../agent/datapath/codegen/ip-sets.ts';
import { compileDirection, tagOf } from '../../../agent/datapath/codegen/program.ts';
import { removeUnreachable } from '../../../agent/datapath/codegen/reachable.ts';
import { DatapathError } from '../../../agent/datapath/errors.ts';
import { decodeFlowEvent } from '../../../agent/datapath/flows.ts';
import {
  CT_KEY_OFFSET,
  CT4_KEY_OFFSET,
  CT4_SET_SIZE,
  CT4_WAYS,
  CtKey,
  CtKey4,
  CtWay4,
  FLOW_EVENT_SIZE,
  FlowEventLayout,
  LPM_KEY_OFFSET,
  LpmKey,
  NO_SLOT,
  State,
} from '../../../agent/datapath/layouts.ts';
import { linkProgram } from '../../../agent/datapath/link.ts';
import { placeholderOf } from '../../../agent/datapath/map-refs.ts';
import { exit, ja, jeq, label, mov64, note, PseudoSrc, R0 } from '../../../bpf/asm/index.ts';
import { cidrs, directionPolicy, policy, rule, term, tier } from '../../dataplane/datapath/support/policies.ts';

const twoTiers = directionPolicy('ingress', [
  tier('security', 'Pass', [policy('sec', [rule('Deny', term('TCP', [[22, 22]])), rule('Pass', term('any', 'any', cidrs('198.18.0.0/16')))])], 100),
  tier(
    'default',
    'Deny',
    [
      policy('np', [
        rule(
          'Allow',
          term(
            'TCP',
            [
              [80, 81],
              [443, 443],
            ],
            cidrs('10.0.0.0/8 except 10.1.0.0/16'),
          ),
        ),
        rule('Log'),
      ]),
    ],
    1_000_000,
  ),
]);

const listingLabels = (text: string): string[] =>
  text
    .split('\n')
    .filter((l) => /^[a-z_0-9]+:$/.test(l))
    .map((l) => l.slice(0, -1));

describe('compileDirection', () => {
  it('lays out rules with polprog-style labels, one block per rule, tiers ending in end_of_tier_N', () => {
    const compiled = compileDirection('ingress', twoTiers);
    const labels = listingLabels(compiled.dump());
    for (const expected of [
      'tier_0',
      'rule_0',
      'rule_0_no_match',
      'rule_1_match',
      'end_of_tier_0',
      'tier_1',
      'rule_3_no_match',
      'enforced_allow',
      'enforced_deny',
      'conntrack',
      'policy',
    ]) {
      expect(labels).toContain(expected);
    }
    // tier 1 ends in its Deny default and nothing passes out of it: no code follows for it
    expect(labels).not.toContain('end_of_tier_1');
    expect(compiled.slots.map((s) => [s.tier, s.policyId, s.ruleIndex, s.action])).toEqual([
      ['security', 'sec', 0, 'Deny'],
      ['security', 'sec', 1, 'Pass'],
      ['security', 'sec', 'default', 'Pass'],
      ['default', 'np', 0, 'Allow'],
      ['default', 'np', 1, 'Log'],
      ['default', 'np', 'default', 'Deny'],
    ]);
    expect(compiled.stats).toMatchObject({ strategy: 'straight-line', rules: 4, ruleSlots: 6, ipSets: 2, staged: false });
    expect(compiled.name).toBe(`pal_i_${compiled.hash!.slice(0, 8)}`);
    expect(compiled.tag).toBe(tagOf(twoTiers.hash));
  });

  it('prints each rule summary next to its code in the dump', () => {
    const text = compileDirection('ingress', twoTiers).dump();
    expect(text).toContain('; rule_3: default/np[0] Allow: TCP 80-81,443 remote {10.0.0.0/8 except 10.1.0.0/16}');
    expect(text).toContain('; tier_1: no rule decided, default Deny (slot 5)');
  });

  it('gives a direction no policy selects an allow program without any deny path', () => {
    const compiled = compileDirection('egress', null);
    expect(compiled.hash).toBeNull();
    expect(compiled.tag).toBe(0);
    const labels = listingLabels(compiled.dump());
    expect(labels).toContain('enforced_allow');
    expect(labels).not.toContain('enforced_deny');
    expect(labels).not.toContain('rule_0');
    expect(compiled.slots).toEqual([]);
  });

  it('adds a staged evaluation only when a staged policy selects the endpoint', () => {
    const staged = directionPolicy('ingress', [tier('default', 'Deny', [policy('st', [rule('Deny', term('TCP'))], true), policy('np', [rule('Allow')])])]);
    const labels = listingLabels(compileDirection('ingress', staged).dump());
    expect(labels).toContain('staged_tier_0');
    expect(labels).toContain('staged_deny');
    expect(listingLabels(compileDirection('ingress', twoTiers).dump())).not.toContain('staged_tier_0');
  });

  it('emits no code for a rule that matches nothing', () => {
    const nothing = directionPolicy('ingress', [tier('default', 'Deny', [policy('np', [{ action: 'Allow', terms: [] }])])]);
    const compiled = compileDirection('ingress', nothing);
    expect(compiled.dump()).toContain('np[0] Allow: matches nothing');
    expect(listingLabels(compiled.dump())).not.toContain('rule_0_match');
  });

  it('refuses a program over a limit with COMPILE_LIMIT and the numbers', () => {
    const many = directionPolicy('ingress', [
      tier('default', 'Deny', [
        policy(
          'big',
          Array.from({ length: 50 }, (_, i) => rule('Allow', term('TCP', [[1000 + i, 1000 + i]], cidrs(`10.${i}.0.0/16`)))),
        ),
      ]),
    ]);
    const fails = (limits: Parameters<typeof compileDirection>[2]): DatapathError => {
      try {
        compileDirection('ingress', many, limits);
      } catch (error) {
        return error as DatapathError;
      }
      throw new Error('compiled');
    };
    const slots = fails({ limits: { programSlots: 1000 } });
    expect(slots).toBeInstanceOf(DatapathError);
    expect(slots.code).toBe('COMPILE_LIMIT');
    expect(slots.message).toMatch(/ingress program needs \d+ instruction slots; the limit is 1000/);
    expect(fails({ limits: { ruleSlots: 10 } }).message).toBe('ingress program needs 51 rule slots; the limit is 10');
    expect(fails({ limits: { ipSetEntries: 49 } }).message).toBe('ingress program needs 50 address-set entries; the limit is 49');
  });
});

describe('address sets', () => {
  it('encodes set index and family before the address, and holes as non-members', () => {
    const table = new IpSetTable();
    expect(table.indexOf(cidrs('10.0.0.0/8 except 10.1.0.0/16'))).toBe(0);
    expect(table.indexOf(cidrs('fd00::/64'))).toBe(1);
    expect(table.indexOf(cidrs('10.0.0.0/8 except 10.1.0.0/16'))).toBe(0); // equal sets share an index
    const entries = table.entries().map((e) => ({ ...LpmKey.decode(e.key), member: e.value[0] }));
    expect(entries).toEqual(
      [
        { prefixlen: 40, set: setWord(0, 4), addr: Uint8Array.from([10, ...Array(15).fill(0)]), member: 1 },
        { prefixlen: 48, set: setWord(0, 4), addr: Uint8Array.from([10, 1, ...Array(14).fill(0)]), member: 0 },
        { prefixlen: 96, set: setWord(1, 6), addr: Uint8Array.from([0xfd, ...Array(15).fill(0)]), member: 1 },
      ].map((e) => ({ ...e, addr: Buffer.from(e.addr) })),
    );
    expect(setWord(3, 6)).toBe(7);
    expect(encodeLpmEntry(2, '198.18.0.0/15', true).key.readUInt32LE(0)).toBe(47);
  });
});

describe('linking', () => {
  it('replaces map placeholders with fds and refuses a missing map', () => {
    const compiled = compileDirection('ingress', null);
    const bytes = linkProgram(compiled.assembled, {
      state: 11,
      conntrack: 12,
      fragments: 13,
      flows: 14,
      stats: 15,
      counters: 16,
      flow_aggregates: 17,
      conntrack6: 18,
    });
    const fds = new Set<number>();
    for (let at = 0; at < bytes.length; at += 8) {
      if (bytes[at] === 0x18 && bytes[at + 1]! >> 4 === PseudoSrc.MAP_FD) fds.add(bytes.readInt32LE(at + 4));
    }
    expect([...fds].sort()).toEqual([11, 12, 13, 14, 15, 16, 17, 18].filter((fd) => fds.has(fd)));
    expect([...fds].some((fd) => fd >= placeholderOf('state'))).toBe(false);
    expect(() => linkProgram(compiled.assembled, { state: 11 })).toThrow(/not provided/);
  });
});

describe('removeUnreachable', () => {
  it('drops code after an unconditional jump or exit that no jump targets, keeping labels in use', () => {
    const kept = removeUnreachable([
      mov64.imm(R0, 1),
      jeq.imm(R0, 1, 'used'),
      ja('end'),
      note('dead'),
      mov64.imm(R0, 2),
      label('used'),
      mov64.imm(R0, 3),
      label('end'),
      exit(),
      label('orphan'),
      mov64.imm(R0, 4),
      exit(),
    ]);
    expect(kept.map((i) => (i.kind === 'insn' ? `insn ${i.imm}` : `${i.kind} ${'name' in i ? i.name : i.text}`))).toEqual([
      'insn 1',
      'insn 1',
      'insn 0',
      'label used',
      'insn 3',
      'label end',
      'insn 0',
    ]);
  });
});

describe('layouts', () => {
  it('embeds the conntrack key in the state and the state starts with the flow event', () => {
    for (const field of CtKey.fields.filter((f) => f.name !== 'pad')) {
      expect(State.offsetOf(field.name as never) - CT_KEY_OFFSET, field.name).toBe(field.offset);
    }
    for (const field of LpmKey.fields) {
      const name = `lpm${field.name[0]!.toUpperCase()}${field.name.slice(1)}`;
      expect(State.offsetOf(name as never) - LPM_KEY_OFFSET, name).toBe(field.offset);
    }
    expect(FlowEventLayout.size).toBe(FLOW_EVENT_SIZE);
    expect(FlowEventLayout.fields).toEqual(State.fields.slice(0, FlowEventLayout.fields.length));
    expect(CT_KEY_OFFSET % 8).toBe(0);
  });

  it("keeps the IPv4 conntrack key in the state in its way's order: two 8-byte words the program compares", () => {
    expect(CtWay4.size).toBe(32);
    expect(CT4_SET_SIZE).toBe(CT4_WAYS * 32);
    expect(CtWay4.offsetOf('lport')).toBe(4); // ifindex and ports one word
    expect(CtWay4.offsetOf('local')).toBe(8); // the addresses the other
    expect(CtWay4.offsetOf('lastSeen') % 8).toBe(0);
    expect(CT4_KEY_OFFSET % 8).toBe(0);
    expect(State.offsetOf('ct4Set') - CT4_KEY_OFFSET).toBe(CtWay4.offsetOf('seq'));
    // CtKey4 (the IPv4 LRU hash's key, read when carried over) is CtKey's first 12 bytes, then the addresses
    for (const name of ['ifindex', 'proto', 'family', 'lport', 'rport'] as const) expect(CtKey4.offsetOf(name), name).toBe(CtKey.offsetOf(name));
    expect(CtKey4.offsetOf('remote')).toBe(16);
  });

  it('decodes a flow event with the rule identities of its program', () => {
    const event = Buffer.alloc(FLOW_EVENT_SIZE);
    FlowEventLayout.encodeInto(event, 0, {
      ts: 5n,
      tag: 0xabc,
      ruleSlot: 1,
      stagedSlot: NO_SLOT,
      bytes: 60,
      kind: 2,
      verdict: 2,
      stagedVerdict: 1,
      hook: 1,
      tcpFlags: 2,
      icmpType: 0,
      icmpCode: 0,
      pad0: 0,
      ifindex: 7,
      proto: 6,
      family: 6,
      pad1: 0,
      lport: 80,
      rport: 40000,
      local: Buffer.from('fd000000000000000000000000000010', 'hex'),
      remote: Buffer.from('20010db8000000000000000000000001', 'hex'),
      pad2: 0,
    });
    const slots = compileDirection('ingress', twoTiers).slots;
    const flow = decodeFlowEvent(event, (tag) => (tag === 0xabc ? slots : undefined));
    expect(flow).toMatchObject({
      kind: 'denied',
      direction: 'ingress',
      verdict: 'deny',
      ifindex: 7,
      protocol: 6,
      family: 6,
      local: 'fd00::10',
      remote: '2001:db8::1',
      localPort: 80,
      remotePort: 40000,
      bytes: 60,
      timeNs: 5n,
      programTag: 0xabc,
      tcpFlags: 2,
      rule: { tier: 'security', policyId: 'sec', ruleIndex: 1, action: 'Pass' },
      staged: { verdict: 'allow', rule: null },
    });
  });

  it('decodes an IPv4 ICMP flow event: dotted addresses, type and code, no remote port', () => {
    const event = Buffer.alloc(FLOW_EVENT_SIZE);
    const v4 = (a: number[]) => Buffer.concat([Buffer.from(a), Buffer.alloc(12)]);
    FlowEventLayout.encodeInto(event, 0, {
      ...{ ts: 9n, tag: 1, ruleSlot: NO_SLOT, stagedSlot: NO_SLOT, bytes: 84, kind: 1, verdict: 1, stagedVerdict: 0, hook: 0 },
      ...{ tcpFlags: 0, icmpType: 3, icmpCode: 1, pad0: 0, ifindex: 9, proto: 1, family: 4, pad1: 0, lport: 0, rport: 0x0301 },
      ...{ local: v4([10, 0, 0, 5]), remote: v4([192, 168, 200, 17]), pad2: 0 },
    });
    const flow = decodeFlowEvent(event, () => undefined);
    expect(flow).toEqual({
      kind: 'allowed',
      direction: 'egress',
      ifindex: 9,
      timeNs: 9n,
      programTag: 1,
      verdict: 'allow',
      rule: null,
      family: 4,
      protocol: 1,
      local: '10.0.0.5',
      remote: '192.168.200.17',
      localPort: 0,
      remotePort: 0,
      tcpFlags: 0,
      icmpType: 3,
      icmpCode: 1,
      bytes: 84,
    });
  });
});

describe('pins', () => {
  it('lays out the node directory and keeps any interface name one reversible path component', async () => {
    const { pinLayout, pinComponent, decodePinComponent } = await import('../../../agent/datapath/pins.ts');
    const pins = pinLayout('node-1.example', '/sys/fs/bpf');
    expect(pins.maps).toBe('/sys/fs/bpf/palisade/node-1.example/maps');
    expect(pins.link('v0-x-server', 'to-pod')).toBe('/sys/fs/bpf/palisade/node-1.example/links/v0-x-server/to-pod');
    for (const name of ['eth0', 'veth@if3', 'cali12ab.34', '..', 'a b', 'ü']) {
      const component = pinComponent(name);
      expect(component).toMatch(/^[A-Za-z0-9._%-]+$/);
      expect(component).not.toMatch(/^\.{1,2}$/);
      expect(decodePinComponent(component)).toBe(name);
    }
  });
});

describe('optional term conditions', () => {
  const base = directionPolicy('ingress', [tier('t', 'Deny', [policy('p', [rule('Allow', term('TCP', [[80, 80]], cidrs('10.0.0.0/8')))])])]);
  const withExtras = directionPolicy('ingress', [
    tier('t', 'Deny', [
      policy('p', [
        rule('Allow', {
          ...term('TCP', [[80, 80]], cidrs('10.0.0.0/8')),
          ipVersion: 4,
          srcPorts: [{ first: 1000, last: 1010 }],
          except: [term('any', 'any', cidrs('10.1.0.0/16')), { ...term('TCP', [[80, 80]]), srcPorts: [{ first: 1005, last: 1005 }] }],
        }),
      ]),
    ]),
  ]);

  it('checks protocol, IP version and ports without branches; each except costs its own checks', () => {
    const plain = compileDirection('ingress', base).stats.conditionalJumps;
    const extras = compileDirection('ingress', withExtras).stats.conditionalJumps;
    // the positive term still costs 1 + 2 (set); the excepts: 2 (set) and 1 (cheap checks)
    expect(extras - plain).toBe(3);
    expect(compileDirection('ingress', withExtras).ipSetEntries.length).toBe(2);
  });

  it('the conditional-jump limit counts the except branches', () => {
    const extras = compileDirection('ingress', withExtras).stats.conditionalJumps;
    expect(() => compileDirection('ingress', withExtras, { limits: { conditionalJumps: extras - 1 } })).toThrow(DatapathError);
    expect(compileDirection('ingress', withExtras, { limits: { conditionalJumps: extras } }).stats.conditionalJumps).toBe(extras);
  });

  it('describes the conditions in the dump', () => {
    expect(compileDirection('ingress', withExtras).dump()).toContain(
      'Allow: TCP IPv4 80 from 1000-1010 remote {10.0.0.0/8} except (any protocol remote {10.1.0.0/16} | TCP 80 from 1005)',
    );
  });

  it('the eBPF dataplane supports every optional IR feature (service accounts and nodes come from the inventory)', async () => {
    const { SUPPORTED_IR_FEATURES } = await import('../../../agent/datapath/ebpf-dataplane.ts');
    const { IR_FEATURES } = await import('../../../policy/ir-features.ts');
    expect(IR_FEATURES.filter((f) => !SUPPORTED_IR_FEATURES.includes(f))).toEqual([]);
    expect(SUPPORTED_IR_FEATURES).toEqual(expect.arrayContaining(['nodePeers', 'serviceAccounts']));
  });
});
