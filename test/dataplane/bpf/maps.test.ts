// Maps in the kernel: element and batch operations, LPM longest-prefix match, per-CPU values,
// and a program that counts into a map.
import { expect, it } from 'vitest';
import { add64, atomicAdd, call, exit, jeq, label, ld, ldx, mov64, R0, R1, R2, R10, st } from '../../../bpf/asm/index.ts';
import { Helper, MapType, TcAct, UpdateFlag } from '../../../bpf/kernel/constants.ts';
import { createMap } from '../../../bpf/kernel/map.ts';
import { joinPerCpu, possibleCpus } from '../../../bpf/kernel/percpu.ts';
import { loadProgram } from '../../../bpf/kernel/program.ts';
import { testRun } from '../../../bpf/kernel/testrun.ts';
import { defineLayout } from '../../../bpf/maps/layout.ts';
import { describeIf, NEEDS_KERNEL_BPF } from '../../support/needs.ts';
import { ethIpv4, ipv4, kernelAvailable, mapsOfThisFile, u32 } from './harness.ts';

const make = mapsOfThisFile();
const u64 = (n: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return b;
};

describeIf(kernelAvailable(), NEEDS_KERNEL_BPF)('maps in the kernel', () => {
  it('creates a hash map and updates, looks up, iterates and deletes', () => {
    const m = make({ type: MapType.HASH, name: 'test_hash', keySize: 4, valueSize: 8, maxEntries: 64 });
    m.update(u32(1), u64(10n));
    m.update(u32(2), u64(20n));
    expect(m.lookup(u32(1))?.readBigUInt64LE()).toBe(10n);
    expect(m.lookup(u32(3))).toBeUndefined();
    expect(() => m.update(u32(1), u64(11n), UpdateFlag.NOEXIST)).toThrow(expect.objectContaining({ code: 'MAP_OP_FAILED', errno: 17 }));
    expect([...m.keys()].map((k) => k.readUInt32LE()).sort()).toEqual([1, 2]);
    expect(m.delete(u32(1))).toBe(true);
    expect(m.delete(u32(1))).toBe(false);
    expect(() => m.lookup(Buffer.alloc(3))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('round-trips batches', () => {
    const m = make({ type: MapType.HASH, name: 'test_batch', keySize: 4, valueSize: 8, maxEntries: 1024 });
    const keys = Array.from({ length: 600 }, (_, i) => u32(i));
    const values = keys.map((_, i) => u64(BigInt(i * 3)));
    expect(m.updateBatch(keys, values)).toBe(600);
    const all = m.lookupBatch({ batchSize: 128 });
    expect(all.keys.length).toBe(600);
    const got = new Map(all.keys.map((k, i) => [k.readUInt32LE(), all.values[i]!.readBigUInt64LE()]));
    expect(got.get(599)).toBe(1797n);
    expect(m.deleteBatch(keys.slice(0, 100))).toBe(100);
    expect(m.lookupBatch().keys.length).toBe(500);
    const drained = m.lookupBatch({ andDelete: true });
    expect(drained.keys.length).toBe(500);
    expect(m.nextKey()).toBeUndefined();
  });

  it('writes packed entries from views into larger buffers, and refuses a partial entry', () => {
    const m = make({ type: MapType.ARRAY, name: 'test_packed', keySize: 4, valueSize: 8, maxEntries: 16 });
    // keys 5..9 and their values, cut from the middle of buffers holding more
    const keys = Buffer.alloc(4 * 12);
    const values = Buffer.alloc(8 * 12);
    for (let i = 0; i < 12; i++) {
      keys.writeUInt32LE(i + 3, i * 4);
      values.writeBigUInt64LE(BigInt((i + 3) * 7), i * 8);
    }
    expect(m.updatePacked(keys.subarray(2 * 4, 7 * 4), values.subarray(2 * 8, 7 * 8))).toBe(5);
    for (let k = 0; k < 16; k++) expect(m.lookup(u32(k))?.readBigUInt64LE()).toBe(k >= 5 && k < 10 ? BigInt(k * 7) : 0n);
    expect(() => m.updatePacked(keys.subarray(0, 8), values.subarray(0, 8))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => m.updatePacked(keys.subarray(0, 6), values.subarray(0, 12))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(m.updatePacked(Buffer.alloc(0), Buffer.alloc(0))).toBe(0);
  });

  it('finds the longest prefix in an LPM trie', () => {
    const LpmKey4 = defineLayout('lpm_key_v4', {
      size: 8,
      fields: [
        { name: 'prefixlen', type: 'u32' },
        { name: 'addr', type: 'bytes[4]' },
      ],
    });
    const key = (cidr: string): Buffer => {
      const [addr, len] = cidr.split('/');
      return LpmKey4.encode({ prefixlen: Number(len ?? 32), addr: ipv4(addr!) });
    };
    const m = make({ type: MapType.LPM_TRIE, name: 'test_lpm', keySize: 8, valueSize: 4, maxEntries: 16 });
    expect(m.flags & 1).toBe(1); // NO_PREALLOC added for us
    m.update(key('198.18.0.0/15'), u32(15));
    m.update(key('198.18.5.0/24'), u32(24));
    m.update(key('198.18.5.7/32'), u32(32));
    expect(m.lookup(key('198.18.5.7'))?.readUInt32LE()).toBe(32);
    expect(m.lookup(key('198.18.5.8'))?.readUInt32LE()).toBe(24);
    expect(m.lookup(key('198.19.200.1'))?.readUInt32LE()).toBe(15);
    expect(m.lookup(key('198.20.0.1'))).toBeUndefined();
    expect([...m.keys()].length).toBe(3);
  });

  it('reads and writes per-CPU array values for every possible CPU', () => {
    const cpus = possibleCpus();
    const m = make({ type: MapType.PERCPU_ARRAY, name: 'test_percpu', keySize: 4, valueSize: 4, maxEntries: 2 });
    expect(m.valueBufferSize).toBe(8 * cpus); // each CPU's 4 bytes padded to 8
    m.update(
      u32(1),
      joinPerCpu(
        Array.from({ length: cpus }, (_, i) => u32(100 + i)),
        4,
      ),
    );
    const values = m.lookupPerCpu(u32(1))!;
    expect(values.map((v) => v.readUInt32LE())).toEqual(Array.from({ length: cpus }, (_, i) => 100 + i));
    expect(() => m.update(u32(0), u32(1))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(m.lookupBatch().keys.length).toBe(2);
  });

  it('counts packets from a program with an atomic add', () => {
    const counters = make({ type: MapType.ARRAY, name: 'test_count', keySize: 4, valueSize: 8, maxEntries: 4 });
    const program = [
      st.w(R10, 2, -4), // key = 2, on the stack
      mov64.reg(R2, R10),
      add64.imm(R2, -4),
      ld.mapFd(R1, counters.fd),
      call(Helper.map_lookup_elem),
      jeq.imm(R0, 0, 'out'), // the verifier insists on the NULL check
      mov64.imm(R1, 1),
      atomicAdd.dw(R0, R1, 0),
      label('out'),
      mov64.imm(R0, TcAct.OK),
      exit(),
    ];
    const p = loadProgram({ name: 'test_counter', instructions: program });
    try {
      testRun(p, { data: ethIpv4(), repeat: 5 });
      testRun(p, { data: ethIpv4() });
      expect(counters.lookup(u32(2))?.readBigUInt64LE()).toBe(6n);
      expect(counters.lookup(u32(1))?.readBigUInt64LE()).toBe(0n);
    } finally {
      p.close();
    }
  });

  it('reads global data through a direct map value pointer', () => {
    const config = make({ type: MapType.ARRAY, name: 'test_config', keySize: 4, valueSize: 16, maxEntries: 1 });
    const value = Buffer.alloc(16);
    value.writeUInt32LE(0x5a, 4);
    config.update(u32(0), value);
    const p = loadProgram({ name: 'test_mapvalue', instructions: [ld.mapValue(R1, config.fd, 4), ldx.w(R0, R1, 0), exit()] });
    try {
      expect(testRun(p, { data: ethIpv4() }).retval).toBe(0x5a);
    } finally {
      p.close();
    }
  });

  it('names the failure when a map cannot be created', () => {
    expect(() => createMap({ type: MapType.HASH, name: 'test_bad', keySize: 0, valueSize: 4, maxEntries: 1 })).toThrow(
      expect.objectContaining({ code: 'MAP_CREATE_FAILED', errno: 22 }),
    );
  });
});
