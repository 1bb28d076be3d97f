// The IPv4 conntrack table's set hash in user space (the program's own is checked against it by the
// dataplane tests, which find what programs recorded through it): seeded, spread over the sets.
import { describe, expect, it } from 'vitest';
import { ct4Hash } from '../../../agent/datapath/ct4-hash.ts';

const key = (ports: number, seed = 0x1234_5678, ifindex = 7) => ({ seed, ifindexProto: ifindex ^ (17 << 24), ports, local: 0x0a00_12c6, remote: 0x0100_7f64 });

describe('ct4Hash', () => {
  it('depends on the seed: the same flows land in other sets of another table', () => {
    const mask = 0x3_ffff;
    const moved = Array.from({ length: 1000 }, (_, i) => (ct4Hash(key(i)) & mask) !== (ct4Hash(key(i, 0x9abc_def0)) & mask));
    expect(moved.filter(Boolean).length).toBeGreaterThan(990);
  });

  it('spreads flows that differ only in their source port over the sets as a random choice would', () => {
    const sets = 1024;
    const counts = new Array(sets).fill(0);
    for (let port = 0; port < 64 * sets; port++) counts[ct4Hash(key(port << 16)) & (sets - 1)]++;
    // 64 a set on average; Poisson's spread puts nearly all within 64 +- 32
    expect(Math.max(...counts)).toBeLessThan(100);
    expect(Math.min(...counts)).toBeGreaterThan(30);
  });

  it('keeps flows apart that differ in interface and ports together (each word is mixed in a round of its own)', () => {
    const sets = 2 ** 12;
    const seen = new Map<number, number>();
    for (let ifindex = 1; ifindex <= 4; ifindex++)
      for (let ports = 0; ports < sets; ports++) {
        const set = ct4Hash(key(ports, 0x1234_5678, ifindex)) & (sets - 1);
        seen.set(set, (seen.get(set) ?? 0) + 1);
      }
    // 4 a set on average; xoring ifindex into the ports' round put every one of them in groups of 4
    expect(seen.size).toBeGreaterThan(sets * 0.95);
  });
});
