import { describe, expect, it } from 'vitest';
import { defineLayout } from '../../../bpf/maps/layout.ts';

describe('map layouts', () => {
  // Example: a conntrack key for IPv4 five-tuples (13 bytes of data, C size 16).
  const CtKey4 = defineLayout('ct_key_v4', {
    size: 16,
    fields: [
      { name: 'saddr', type: 'be32' },
      { name: 'daddr', type: 'be32' },
      { name: 'sport', type: 'be16' },
      { name: 'dport', type: 'be16' },
      { name: 'proto', type: 'u8' },
    ],
  });

  it('computes C offsets and size', () => {
    expect(CtKey4.fields.map((f) => [f.name, f.offset])).toEqual([
      ['saddr', 0],
      ['daddr', 4],
      ['sport', 8],
      ['dport', 10],
      ['proto', 12],
    ]);
    expect(CtKey4.size).toBe(16);
    expect(CtKey4.offsetOf('dport')).toBe(10);
  });

  it('encodes with zeroed padding and decodes back', () => {
    const values = { saddr: 0xc6120001, daddr: 0xc6120002, sport: 40000, dport: 53, proto: 17 };
    const buf = CtKey4.encode(values);
    expect(buf.toString('hex')).toBe('c6120001' + 'c6120002' + '9c40' + '0035' + '11' + '000000');
    expect(CtKey4.decode(buf)).toEqual(values);
  });

  it('handles u64, little-endian scalars and byte arrays', () => {
    const Counter = defineLayout('rule_counter', {
      size: 24,
      fields: [
        { name: 'packets', type: 'u64' },
        { name: 'bytes', type: 'u64' },
        { name: 'rule', type: 'u32' },
        { name: 'tag', type: 'bytes[2]' },
      ],
    });
    const buf = Counter.encode({ packets: 3n, bytes: 2n ** 40n, rule: 7, tag: Buffer.from([1, 2]) });
    expect(buf.length).toBe(24);
    expect(buf.readBigUInt64LE(0)).toBe(3n);
    expect(buf.readUInt32LE(16)).toBe(7);
    expect(Counter.decode(buf).tag).toEqual(Buffer.from([1, 2]));
  });

  it('checks the declared size at definition time', () => {
    expect(() =>
      defineLayout('bad', {
        size: 13,
        fields: [
          { name: 'a', type: 'u64' },
          { name: 'b', type: 'bytes[5]' },
        ],
      }),
    ).toThrow(expect.objectContaining({ code: 'LAYOUT_INVALID', message: expect.stringContaining('need 16') }));
    expect(
      defineLayout('packed', {
        size: 13,
        packed: true,
        fields: [
          { name: 'a', type: 'u64' },
          { name: 'b', type: 'bytes[5]' },
        ],
      }).size,
    ).toBe(13);
  });

  it('rejects overlapping, misaligned and duplicate fields', () => {
    expect(() =>
      defineLayout('overlap', {
        size: 8,
        fields: [
          { name: 'a', type: 'u32' },
          { name: 'b', type: 'u32', offset: 2 },
        ],
      }),
    ).toThrow(/overlaps/);
    expect(() =>
      defineLayout('misaligned', {
        size: 8,
        fields: [
          { name: 'a', type: 'u16' },
          { name: 'b', type: 'u32', offset: 2 },
        ],
      }),
    ).toThrow(/aligned/);
    expect(() =>
      defineLayout('dup', {
        size: 8,
        fields: [
          { name: 'a', type: 'u32' },
          { name: 'a', type: 'u32' },
        ],
      }),
    ).toThrow(/twice/);
  });

  it('rejects values that do not fit', () => {
    expect(() => CtKey4.encode({ saddr: 1, daddr: 2, sport: 70000, dport: 1, proto: 6 })).toThrow(expect.objectContaining({ code: 'LAYOUT_INVALID' }));
  });
});
