import { describe, expect, it } from 'vitest';
import { cidrSetContains, type ParsedBlock, parseAddress, parseBlock, toCidrSet } from '../../../policy/evaluation/cidr-set.ts';
import type { CidrSet } from '../../../policy/evaluation/endpoint-policy.ts';
import { type LpmEntry, toLpmEntries } from '../../../policy/evaluation/lpm.ts';
import { mergePortRanges } from '../../../policy/evaluation/ports.ts';
import { cidrContains, type ParsedCidr, parseCidr } from '../../../policy/validation/cidr.ts';

const set = (...blocks: [string, string[]?][]): CidrSet => toCidrSet(blocks.map(([cidr, except = []]) => parseBlock({ cidr, except })));
const address = (ip: string) => parseAddress(ip)!;
const cidr = (text: string) => (parseCidr(text) as { ok: true; cidr: ParsedCidr }).cidr;

describe('toCidrSet', () => {
  it('sorts by family, address and prefix, and drops duplicates', () => {
    expect(set(['10.1.0.0/16'], ['2001:db8::/32'], ['10.0.0.0/16'], ['10.1.0.0/16'])).toEqual([
      { family: 4, cidr: '10.0.0.0/16', except: [] },
      { family: 4, cidr: '10.1.0.0/16', except: [] },
      { family: 6, cidr: '2001:db8::/32', except: [] },
    ]);
  });

  it('drops a block wholly inside another, but not one that touches its holes', () => {
    expect(set(['10.0.0.0/8'], ['10.1.2.3/32'], ['10.0.0.0/8', ['10.1.0.0/16']])).toEqual([{ family: 4, cidr: '10.0.0.0/8', except: [] }]);
    expect(set(['10.0.0.0/8', ['10.1.0.0/16']], ['10.1.2.3/32'], ['10.2.0.0/16'])).toEqual([
      { family: 4, cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] },
      { family: 4, cidr: '10.1.2.3/32', except: [] },
    ]);
  });

  it('keeps the outermost holes once, and drops a block its own hole covers', () => {
    expect(set(['10.0.0.0/8', ['10.1.2.0/24', '10.1.0.0/16', '10.1.0.0/16', '10.3.0.0/16']])).toEqual([
      { family: 4, cidr: '10.0.0.0/8', except: ['10.1.0.0/16', '10.3.0.0/16'] },
    ]);
    // Validation refuses such an ipBlock; a set built from it anyway must still mean "nothing".
    expect(toCidrSet([{ cidr: cidr('10.0.0.0/8'), except: [cidr('0.0.0.0/0')] }])).toEqual([]);
  });

  it('tests membership as cidr minus holes, per family', () => {
    const s = set(['10.0.0.0/8', ['10.1.0.0/16']], ['fd00::/64']);
    expect(cidrSetContains(s, address('10.9.9.9'))).toBe(true);
    expect(cidrSetContains(s, address('10.1.9.9'))).toBe(false);
    expect(cidrSetContains(s, address('11.0.0.1'))).toBe(false);
    expect(cidrSetContains(s, address('fd00::9'))).toBe(true);
    expect(cidrSetContains(s, address('fd01::9'))).toBe(false);
  });
});

/** Small deterministic PRNG (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function prefixIn10_0_0(rand: () => number, minPrefix: number): ParsedCidr {
  const prefix = minPrefix + Math.floor(rand() * (33 - minPrefix));
  const size = 2 ** (32 - prefix);
  const host = Math.floor((rand() * 256) / size) * size;
  return cidr(`10.0.0.${host}/${prefix}`);
}

function randomBlock(rand: () => number): ParsedBlock {
  const range = prefixIn10_0_0(rand, 24);
  const except: ParsedCidr[] = [];
  for (let i = Math.floor(rand() * 3); i > 0 && range.prefix < 32; i--) {
    const hole = prefixIn10_0_0(rand, range.prefix + 1);
    if (cidrContains(range, hole)) except.push(hole);
  }
  return { cidr: range, except };
}

function lpmLookup(entries: LpmEntry[], ip: ParsedCidr): boolean {
  let best: { prefix: number; member: boolean } | undefined;
  for (const entry of entries) {
    const prefix = cidr(entry.cidr);
    if (cidrContains(prefix, ip) && (!best || prefix.prefix > best.prefix)) best = { prefix: prefix.prefix, member: entry.member };
  }
  return best?.member ?? false;
}

describe('normalised sets and LPM entries keep the meaning of the blocks they came from', () => {
  it.each(Array.from({ length: 40 }, (_, i) => i + 1))('random union of blocks, seed %i', (seed) => {
    const rand = random(seed);
    const blocks = Array.from({ length: 1 + Math.floor(rand() * 5) }, () => randomBlock(rand));
    const normalised = toCidrSet(blocks);
    const entries = toLpmEntries(normalised);
    for (let host = 0; host < 256; host++) {
      const ip = address(`10.0.0.${host}`);
      const expected = blocks.some((b) => cidrContains(b.cidr, ip) && !b.except.some((e) => cidrContains(e, ip)));
      expect(cidrSetContains(normalised, ip), `set, 10.0.0.${host}`).toBe(expected);
      expect(lpmLookup(entries, ip), `lpm, 10.0.0.${host}`).toBe(expected);
    }
    expect(cidrSetContains(normalised, address('10.0.1.0'))).toBe(false);
  });

  it('gives one entry per range and hole that changes the answer', () => {
    expect(toLpmEntries(set(['10.0.0.0/8', ['10.1.0.0/16']], ['10.1.2.0/24'], ['fd00::/64']))).toEqual([
      { family: 4, cidr: '10.0.0.0/8', member: true },
      { family: 4, cidr: '10.1.0.0/16', member: false },
      { family: 4, cidr: '10.1.2.0/24', member: true },
      { family: 6, cidr: 'fd00::/64', member: true },
    ]);
  });
});

describe('mergePortRanges', () => {
  it('sorts and merges overlapping and adjacent ranges', () => {
    expect(
      mergePortRanges([
        { first: 90, last: 100 },
        { first: 80, last: 80 },
        { first: 81, last: 85 },
        { first: 95, last: 99 },
        { first: 200, last: 200 },
      ]),
    ).toEqual([
      { first: 80, last: 85 },
      { first: 90, last: 100 },
      { first: 200, last: 200 },
    ]);
  });
});
