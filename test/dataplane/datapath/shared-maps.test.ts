// The node's pinned maps across an agent upgrade: a map of the same shape is reused as it is; a
// conntrack table of another capacity, or created before it was mmapable, is re-created with its
// entries, so the connections it admitted keep passing, and so are the IPv4 LRU hash and the one-table conntrack (split by family)
// of earlier agents; any other changed layout replaces the map and its entries are gone.
import { rmSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { type Ct4Entry, countCt4Entries, ct4MapSpec, findCt4Entry, initCt4Table, placeCt4Entries } from '../../../agent/datapath/ct4-table.ts';
import { CT4_SET_SIZE, CtKey, CtKey4, CtValue } from '../../../agent/datapath/layouts.ts';
import { closeSharedMaps, type OpenedSharedMaps, openSharedMaps } from '../../../agent/datapath/shared-maps.ts';
import { MapFlag, MapType } from '../../../bpf/kernel/constants.ts';
import { type BpfMap, createMap } from '../../../bpf/kernel/map.ts';
import { BPFFS_ROOT, ensureBpffs } from '../../../bpf/kernel/pin.ts';
import { describeIf, NEEDS_KERNEL_BPF } from '../../support/needs.ts';
import { kernelAvailable, uniqueSuffix } from '../bpf/harness.ts';

const SIZES = { conntrack: 4096, conntrack6: 1025, fragments: 64, flowRing: 64 * 1024, flowAggregates: 64, bandwidthBuckets: 16, bandwidthEndpoints: 16 };

const NOW = process.hrtime.bigint(); // bpf_ktime_get_ns's clock: entries alive, as a running node's are
const key4 = (lport: number) => ({
  ifindex: 7,
  proto: 17,
  lport,
  rport: 53,
  local: Buffer.from([198, 18, 0, 10]),
  remote: Buffer.from([198, 18, 0, 53]),
});
const entry = (lport: number): Ct4Entry => ({ ...key4(lport), lastSeen: NOW + BigInt(lport), flags: lport % 2 });
// few enough for 1,024 sets of 4 that none overflows whatever the seed (a set holding 5 of them
// would evict one: 64 in 1,024 sets, about one table in 100,000)
const ENTRIES = Array.from({ length: 64 }, (_, i) => entry(40_000 + i));

/** Every entry found in the table as it was put there. */
function expectEntries(map: BpfMap): void {
  for (const e of ENTRIES) expect(findCt4Entry(map, e)?.entry).toMatchObject({ lastSeen: e.lastSeen, flags: e.flags });
  expect(countCt4Entries(map)).toBe(ENTRIES.length);
}

describeIf(kernelAvailable(), NEEDS_KERNEL_BPF)('shared maps across an upgrade', () => {
  const dir = `${BPFFS_ROOT}/palisade-test-shared-${uniqueSuffix()}`;
  let opened: OpenedSharedMaps | undefined;
  afterEach(() => {
    if (opened) closeSharedMaps(opened.maps);
    opened = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  /** What an earlier agent left pinned: every map as today, the conntrack table as `pin` makes and fills it. */
  function pinEarlierAgent(pin: () => BpfMap): void {
    ensureBpffs();
    const first = openSharedMaps(dir, SIZES);
    closeSharedMaps(first.maps);
    rmSync(`${dir}/conntrack`);
    const old = pin();
    old.pin(`${dir}/conntrack`);
    old.close();
  }

  /** This agent's table, `entries` ways, holding ENTRIES; `flags` in place of its own (an earlier agent's). */
  const table = (entries: number, flags?: number) => () => {
    const spec = ct4MapSpec(entries);
    const map = createMap({ ...spec, flags: flags ?? spec.flags });
    initCt4Table(map);
    placeCt4Entries(map, ENTRIES);
    return map;
  };

  it('reuses maps of the same shape, entries and all', () => {
    pinEarlierAgent(table(SIZES.conntrack));
    opened = openSharedMaps(dir, SIZES);
    expect(opened.reused).toContain('conntrack');
    expect(opened.carried).toEqual([]);
    expect(opened.replaced).toEqual([]);
    expectEntries(opened.maps.conntrack);
  });

  it('re-creates a conntrack table of another capacity with every connection it held', () => {
    pinEarlierAgent(table(SIZES.conntrack * 2));
    opened = openSharedMaps(dir, SIZES);
    expect(opened.carried).toEqual(['conntrack']);
    expect(opened.replaced).toEqual([]);
    expect(opened.maps.conntrack.maxEntries).toBe(ct4MapSpec(SIZES.conntrack).maxEntries);
    expectEntries(opened.maps.conntrack);
    // pinned again: the next start reuses the new table
    closeSharedMaps(opened.maps);
    opened = openSharedMaps(dir, SIZES);
    expect(opened.reused).toContain('conntrack');
    expectEntries(opened.maps.conntrack);
  });

  it('re-creates a conntrack table created without BPF_F_MMAPABLE as an mmapable one, every connection kept', () => {
    pinEarlierAgent(table(SIZES.conntrack, 0));
    opened = openSharedMaps(dir, SIZES);
    expect(opened.carried).toEqual(['conntrack']);
    expect(opened.replaced).toEqual([]);
    expect(opened.maps.conntrack.flags & MapFlag.MMAPABLE).toBe(MapFlag.MMAPABLE);
    expectEntries(opened.maps.conntrack);
    closeSharedMaps(opened.maps);
    opened = openSharedMaps(dir, SIZES);
    expect(opened.reused).toContain('conntrack');
    expectEntries(opened.maps.conntrack);
  });

  it('places the IPv4 LRU hash of the agent before the set-associative table, every connection kept', () => {
    pinEarlierAgent(() => {
      const map = createMap({ type: MapType.LRU_HASH, name: 'pal_conntrack', keySize: CtKey4.size, valueSize: CtValue.size, maxEntries: 1025 });
      map.updateBatch(
        ENTRIES.map((e) => CtKey4.encode({ ...e, family: 4, pad: 0 })),
        ENTRIES.map((e) => CtValue.encode({ lastSeen: e.lastSeen, flags: e.flags, tag: 0xabcd })),
      );
      return map;
    });
    opened = openSharedMaps(dir, SIZES);
    expect(opened.carried).toEqual(['conntrack']);
    expect(opened.maps.conntrack.type).toBe(MapType.ARRAY);
    expectEntries(opened.maps.conntrack);
  });

  it('splits the one-table conntrack of agents before issue 13 into the per-family tables, every connection kept', () => {
    ensureBpffs();
    const first = openSharedMaps(dir, SIZES);
    closeSharedMaps(first.maps);
    rmSync(`${dir}/conntrack`);
    const old = createMap({ type: MapType.LRU_HASH, name: 'pal_conntrack', keySize: 44, valueSize: 24, maxEntries: 1025 });
    const legacy = (family: number, local: number[], remote: number[], lport: number) =>
      CtKey.encode({ ifindex: 7, proto: 6, family, pad: 0, lport, rport: 80, local: Buffer.from(local), remote: Buffer.from(remote) });
    const value = Buffer.alloc(24);
    value.writeBigUInt64LE(NOW, 0);
    value.writeUInt32LE(0x01, 16);
    value.writeUInt32LE(0xabcd, 20);
    const v6Address = (last: number) => [0xfd, ...Array(14).fill(0), last];
    old.update(legacy(4, [198, 18, 0, 10, ...Array(12).fill(0)], [192, 0, 2, 80, ...Array(12).fill(0)], 41000), value);
    old.update(legacy(6, v6Address(0x10), v6Address(0x80), 42000), value);
    old.pin(`${dir}/conntrack`);
    old.close();
    opened = openSharedMaps(dir, SIZES);
    expect(opened.carried).toEqual(['conntrack']);
    expect(opened.replaced).toEqual([]);
    const expected = CtValue.encode({ lastSeen: NOW, flags: 0x01, tag: 0xabcd });
    const ipv4 = { ifindex: 7, proto: 6, lport: 41000, rport: 80, local: Buffer.from([198, 18, 0, 10]), remote: Buffer.from([192, 0, 2, 80]) };
    expect(findCt4Entry(opened.maps.conntrack, ipv4)?.entry).toMatchObject({ lastSeen: NOW, flags: 0x01 });
    expect(opened.maps.conntrack6.lookup(legacy(6, v6Address(0x10), v6Address(0x80), 42000))).toEqual(expected);
    expect(countCt4Entries(opened.maps.conntrack)).toBe(1);
    expect(opened.maps.conntrack6.countEntries()).toBe(1);
  });

  it('replaces a conntrack table of another value layout: its entries cannot be read as they are', () => {
    ensureBpffs();
    const first = openSharedMaps(dir, SIZES);
    closeSharedMaps(first.maps);
    rmSync(`${dir}/conntrack`);
    const old = createMap({ ...ct4MapSpec(SIZES.conntrack), valueSize: 64 });
    old.pin(`${dir}/conntrack`);
    old.close();
    opened = openSharedMaps(dir, SIZES);
    expect(opened.replaced).toEqual(['conntrack']);
    expect(opened.carried).toEqual([]);
    expect(opened.maps.conntrack.valueSize).toBe(CT4_SET_SIZE);
    expect(countCt4Entries(opened.maps.conntrack)).toBe(0);
  });
});
