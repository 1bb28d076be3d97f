// The IPv4 conntrack table read from user space: this agent's table is read in place (mmapable), an
// earlier agent's through a copy; both count and list the same live ways: an entry past its
// protocol's timeout is not counted, nor a way a writer is inside (odd sequence word).
import { afterEach, expect, it } from 'vitest';
import { type Ct4Entry, countCt4Entries, ct4Entries, ct4MapSpec, findCt4Entry, initCt4Table, placeCt4Entries } from '../../../agent/datapath/ct4-table.ts';
import { CtFlag, CtWay4 } from '../../../agent/datapath/layouts.ts';
import { MapFlag } from '../../../bpf/kernel/constants.ts';
import { type BpfMap, createMap } from '../../../bpf/kernel/map.ts';
import { describeIf, NEEDS_KERNEL_BPF } from '../../support/needs.ts';
import { kernelAvailable } from '../bpf/harness.ts';

const TCP = 6;
const UDP = 17;
const SECOND = 1_000_000_000n;
const NOW = 10_000n * SECOND;

interface Case extends Ct4Entry {
  alive: boolean;
}
const flow = (lport: number, proto: number, age: bigint, flags: number, alive: boolean): Case => ({
  ifindex: 3,
  proto,
  lport,
  rport: 443,
  local: Buffer.from([198, 18, 0, 10]),
  remote: Buffer.from([192, 0, 2, 1]),
  lastSeen: NOW - age,
  flags,
  alive,
});
const CASES: Case[] = [
  flow(40_000, UDP, 0n, 0, true),
  flow(40_001, UDP, 61n * SECOND, 0, false), // UDP lives 60 s
  flow(40_002, TCP, 1800n * SECOND, 0, true), // an open connection, an hour
  flow(40_003, TCP, 120n * SECOND, CtFlag.FIN, false), // closing: 60 s
  flow(40_004, TCP, 10n * SECOND, CtFlag.RST, true),
  flow(40_005, UDP, -SECOND, 0, true), // seen by a program after the reader took `now`
];
const live = (entries: readonly Ct4Entry[]) => entries.map((e) => e.lport).sort();

describeIf(kernelAvailable(), NEEDS_KERNEL_BPF)('IPv4 conntrack table read from user space', () => {
  const tables: BpfMap[] = [];
  afterEach(() => {
    for (const t of tables.splice(0)) t.close();
  });

  /** A table of 4,096 ways holding CASES, created with `flags`. */
  function table(flags: number): BpfMap {
    const map = createMap({ ...ct4MapSpec(4096), flags });
    tables.push(map);
    initCt4Table(map);
    placeCt4Entries(map, CASES);
    return map;
  }

  it('counts and lists the live entries, in place and from a copy alike', () => {
    const expected = live(CASES.filter((c) => c.alive));
    for (const map of [table(MapFlag.MMAPABLE), table(0)]) {
      expect(countCt4Entries(map, NOW)).toBe(expected.length);
      expect(live(ct4Entries(map, NOW))).toEqual(expected);
    }
  });

  it('leaves out a way a writer is inside, and counts it again once the writer leaves', () => {
    const expected = live(CASES.filter((c) => c.alive && c.lport !== 40_000));
    for (const map of [table(MapFlag.MMAPABLE), table(0)]) {
      const found = findCt4Entry(map, CASES[0]!)!;
      const key = Buffer.alloc(4);
      key.writeUInt32LE(found.set);
      const set = map.lookup(key)!;
      const seq = found.way * CtWay4.size + CtWay4.offsetOf('seq');
      set.writeUInt32LE(set.readUInt32LE(seq) + 1, seq);
      map.update(key, set);
      expect(countCt4Entries(map, NOW)).toBe(expected.length);
      expect(live(ct4Entries(map, NOW))).toEqual(expected);
      set.writeUInt32LE(set.readUInt32LE(seq) + 1, seq);
      map.update(key, set);
      expect(countCt4Entries(map, NOW)).toBe(expected.length + 1);
    }
  });
});
