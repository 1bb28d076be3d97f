// Earlier agents' conntrack entries converted: the one-table conntrack before issue 13 to the
// per-family tables, the IPv4 LRU hash to the set-associative table's ways.
import { describe, expect, it } from 'vitest';
import { convertLegacyEntry, ct4EntryOf, LEGACY_CONNTRACK } from '../../../agent/datapath/conntrack-upgrade.ts';
import { CtKey, CtKey4, CtValue } from '../../../agent/datapath/layouts.ts';

const legacyValue = (): Buffer => {
  const value = Buffer.alloc(LEGACY_CONNTRACK.valueSize);
  value.writeBigUInt64LE(123_456_789n, 0); // lastSeen
  value.writeBigUInt64LE(1n, 8); // created: no longer kept
  value.writeUInt32LE(0x04, 16); // flags: RST seen
  value.writeUInt32LE(0xdead_beef, 20); // tag
  return value;
};
const legacyKey = (family: number, local: number[], remote: number[]) =>
  CtKey.encode({ ifindex: 9, proto: 17, family, pad: 0, lport: 53, rport: 40_000, local: Buffer.from(local), remote: Buffer.from(remote) });
const v6 = (last: number) => [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), last];

describe('convertLegacyEntry', () => {
  it('moves an IPv4 entry to the IPv4 table under the 20-byte key, keeping lastSeen, flags and tag', () => {
    const entry = convertLegacyEntry(legacyKey(4, [10, 0, 0, 1, ...Array(12).fill(0)], [10, 0, 0, 2, ...Array(12).fill(0)]), legacyValue());
    expect(entry?.table).toBe('conntrack');
    expect(CtKey4.decode(entry!.key)).toEqual({
      ifindex: 9,
      proto: 17,
      family: 4,
      pad: 0,
      lport: 53,
      rport: 40_000,
      local: Buffer.from([10, 0, 0, 1]),
      remote: Buffer.from([10, 0, 0, 2]),
    });
    expect(CtValue.decode(entry!.value)).toEqual({ lastSeen: 123_456_789n, flags: 0x04, tag: 0xdead_beef });
  });

  it('keeps an IPv6 entry under its key, in the IPv6 table', () => {
    const key = legacyKey(6, v6(1), v6(2));
    const entry = convertLegacyEntry(key, legacyValue());
    expect(entry?.table).toBe('conntrack6');
    expect(entry!.key).toEqual(key);
    expect(entry!.value.length).toBe(CtValue.size);
  });

  it('drops an entry of no known family', () => {
    expect(convertLegacyEntry(legacyKey(0, Array(16).fill(0), Array(16).fill(0)), legacyValue())).toBeNull();
  });
});

describe('ct4EntryOf', () => {
  it('turns an IPv4 LRU hash entry into a way: key, lastSeen and flags (the tag is not kept)', () => {
    const key = CtKey4.encode({
      ifindex: 9,
      proto: 6,
      family: 4,
      pad: 0,
      lport: 41_000,
      rport: 80,
      local: Buffer.from([10, 0, 0, 1]),
      remote: Buffer.from([10, 0, 0, 2]),
    });
    expect(ct4EntryOf(key, CtValue.encode({ lastSeen: 77n, flags: 0x01, tag: 0xabcd }))).toEqual({
      ifindex: 9,
      proto: 6,
      lport: 41_000,
      rport: 80,
      local: Buffer.from([10, 0, 0, 1]),
      remote: Buffer.from([10, 0, 0, 2]),
      lastSeen: 77n,
      flags: 0x01,
    });
  });
});
