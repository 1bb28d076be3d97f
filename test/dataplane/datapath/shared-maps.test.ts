// The node's pinned maps across an agent upgrade: a map of the same shape is reused as it is; a
// conntrack table of another capacity or flags is re-created with its entries, so the connections
// it admitted keep passing, and so is the one-table conntrack of earlier agents, split by family; any
// other changed layout replaces the map and its entries are gone.
import { rmSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { CtKey, CtKey4, CtValue } from '../../../agent/datapath/layouts.ts';
import { closeSharedMaps, type OpenedSharedMaps, openSharedMaps, sharedMapSpecs } from '../../../agent/datapath/shared-maps.ts';
import { MapFlag } from '../../../bpf/kernel/constants.ts';
import { type CreateMapOptions, createMap } from '../../../bpf/kernel/map.ts';
import { BPFFS_ROOT, ensureBpffs } from '../../../bpf/kernel/pin.ts';
import { describeIf, NEEDS_KERNEL_BPF } from '../../support/needs.ts';
import { kernelAvailable, uniqueSuffix } from '../bpf/harness.ts';

const SIZES = { conntrack: 1025, conntrack6: 1025, fragments: 64, flowRing: 64 * 1024, flowAggregates: 64, bandwidthBuckets: 16, bandwidthEndpoints: 16 };

const entry = (lport: number) => ({
  key: CtKey4.encode({
    ifindex: 7,
    proto: 17,
    family: 4,
    pad: 0,
    lport,
    rport: 53,
    local: Buffer.from([198, 18, 0, 10]),
    remote: Buffer.from([198, 18, 0, 53]),
  }),
  value: CtValue.encode({ lastSeen: 1000n + BigInt(lport), flags: 0, tag: 0xabcd }),
});
const ENTRIES = Array.from({ length: 300 }, (_, i) => entry(40_000 + i));

describeIf(kernelAvailable(), NEEDS_KERNEL_BPF)('shared maps across an upgrade', () => {
  const dir = `${BPFFS_ROOT}/palisade-test-shared-${uniqueSuffix()}`;
  let opened: OpenedSharedMaps | undefined;
  afterEach(() => {
    if (opened) closeSharedMaps(opened.maps);
    opened = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  /** What an earlier agent left pinned: every map as today, the conntrack table as `conntrack` says. */
  function pinEarlierAgent(conntrack: Partial<CreateMapOptions>): void {
    ensureBpffs();
    const first = openSharedMaps(dir, SIZES);
    closeSharedMaps(first.maps);
    rmSync(`${dir}/conntrack`);
    const old = createMap({ ...sharedMapSpecs({ ...SIZES }).conntrack, ...conntrack });
    old.updateBatch(
      ENTRIES.map((e) => e.key),
      ENTRIES.map((e) => e.value),
    );
    old.pin(`${dir}/conntrack`);
    old.close();
  }

  it('reuses maps of the same shape, entries and all', () => {
    pinEarlierAgent({});
    opened = openSharedMaps(dir, SIZES);
    expect(opened.reused).toContain('conntrack');
    expect(opened.carried).toEqual([]);
    expect(opened.replaced).toEqual([]);
    expect(opened.maps.conntrack.countEntries()).toBe(ENTRIES.length);
  });

  it('re-creates a conntrack table of the old capacity with every connection it held', () => {
    pinEarlierAgent({ maxEntries: 1024 });
    opened = openSharedMaps(dir, SIZES);
    expect(opened.carried).toEqual(['conntrack']);
    expect(opened.replaced).toEqual([]);
    expect(opened.maps.conntrack.maxEntries).toBe(SIZES.conntrack);
    for (const e of ENTRIES) expect(opened.maps.conntrack.lookup(e.key)).toEqual(e.value);
    // pinned again: the next start reuses the new table
    closeSharedMaps(opened.maps);
    opened = openSharedMaps(dir, SIZES);
    expect(opened.reused).toContain('conntrack');
    expect(opened.maps.conntrack.countEntries()).toBe(ENTRIES.length);
  });

  it('re-creates a conntrack table created with other flags, keeping its entries', () => {
    pinEarlierAgent({ flags: MapFlag.NO_COMMON_LRU, maxEntries: 1026 });
    opened = openSharedMaps(dir, SIZES);
    expect(opened.carried).toEqual(['conntrack']);
    expect(opened.maps.conntrack.flags).toBe(0);
    expect(opened.maps.conntrack.countEntries()).toBe(ENTRIES.length);
  });

  it('splits the one-table conntrack of agents before issue 13 into the per-family tables, every connection kept', () => {
    ensureBpffs();
    const first = openSharedMaps(dir, SIZES);
    closeSharedMaps(first.maps);
    rmSync(`${dir}/conntrack`);
    const old = createMap({ ...sharedMapSpecs({ ...SIZES }).conntrack, keySize: 44, valueSize: 24 });
    const legacy = (family: number, local: number[], remote: number[], lport: number) =>
      CtKey.encode({ ifindex: 7, proto: 6, family, pad: 0, lport, rport: 80, local: Buffer.from(local), remote: Buffer.from(remote) });
    const value = Buffer.alloc(24);
    value.writeBigUInt64LE(5000n, 0);
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
    const expected = CtValue.encode({ lastSeen: 5000n, flags: 0x01, tag: 0xabcd });
    const key4 = CtKey4.encode({
      ifindex: 7,
      proto: 6,
      family: 4,
      pad: 0,
      lport: 41000,
      rport: 80,
      local: Buffer.from([198, 18, 0, 10]),
      remote: Buffer.from([192, 0, 2, 80]),
    });
    expect(opened.maps.conntrack.lookup(key4)).toEqual(expected);
    expect(opened.maps.conntrack6.lookup(legacy(6, v6Address(0x10), v6Address(0x80), 42000))).toEqual(expected);
    expect(opened.maps.conntrack.countEntries()).toBe(1);
    expect(opened.maps.conntrack6.countEntries()).toBe(1);
  });

  it('replaces a conntrack table of another value layout: its entries cannot be read as they are', () => {
    ensureBpffs();
    const first = openSharedMaps(dir, SIZES);
    closeSharedMaps(first.maps);
    rmSync(`${dir}/conntrack`);
    const old = createMap({ ...sharedMapSpecs({ ...SIZES }).conntrack, valueSize: 32 });
    old.update(ENTRIES[0]!.key, Buffer.alloc(32, 1));
    old.pin(`${dir}/conntrack`);
    old.close();
    opened = openSharedMaps(dir, SIZES);
    expect(opened.replaced).toEqual(['conntrack']);
    expect(opened.carried).toEqual([]);
    expect(opened.maps.conntrack.valueSize).toBe(CtValue.size);
    expect(opened.maps.conntrack.countEntries()).toBe(0);
  });
});
