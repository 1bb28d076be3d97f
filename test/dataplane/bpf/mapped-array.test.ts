// An mmapable array read and written in place (bpf/kernel/mapped-array.ts): element i where the
// kernel keeps it (the value rounded up to 8 bytes apart), the map's memory itself rather than a
// copy (a program's write shows without a syscall), writes through a writable mapping seen by
// lookups, arrays without the flag refused, and a mapping held for one use only.
import { expect, it } from 'vitest';
import { add64, atomicAdd, call, exit, jeq, label, ld, mov64, R0, R1, R2, R10, st } from '../../../bpf/asm/index.ts';
import { Helper, MapFlag, MapType, TcAct } from '../../../bpf/kernel/constants.ts';
import { arrayStride, MappedArray, withMappedArray } from '../../../bpf/kernel/mapped-array.ts';
import { loadProgram } from '../../../bpf/kernel/program.ts';
import { testRun } from '../../../bpf/kernel/testrun.ts';
import { describeIf, NEEDS_KERNEL_BPF } from '../../support/needs.ts';
import { ethIpv4, kernelAvailable, mapsOfThisFile, u32 } from './harness.ts';

const make = mapsOfThisFile();

describeIf(kernelAvailable(), NEEDS_KERNEL_BPF)('mmapable arrays in place', () => {
  it('finds element i at i times the value size rounded up to 8', () => {
    // 12-byte values, 16 apart; 1,000 of them span several pages
    const m = make({ type: MapType.ARRAY, name: 'test_mmap', keySize: 4, valueSize: 12, maxEntries: 1000, flags: MapFlag.MMAPABLE });
    expect(arrayStride(12)).toBe(16);
    for (const i of [0, 1, 255, 256, 999]) {
      const value = Buffer.alloc(12);
      value.writeUInt32LE(i + 1, 0);
      value.writeUInt32LE(0xabc0_0000 + i, 8);
      m.update(u32(i), value);
    }
    withMappedArray(m, {}, ({ bytes, stride, elements }) => {
      expect(stride).toBe(16);
      expect(elements).toBe(1000);
      expect(bytes.length).toBe(16_000);
      for (const i of [0, 1, 255, 256, 999]) {
        expect(bytes.readUInt32LE(i * stride)).toBe(i + 1);
        expect(bytes.readUInt32LE(i * stride + 8)).toBe(0xabc0_0000 + i);
      }
      expect(bytes.readUInt32LE(2 * stride)).toBe(0); // never written
    });
  });

  it('is the map itself: a program adding to an element shows in the mapping without a syscall', () => {
    const counters = make({ type: MapType.ARRAY, name: 'test_mmap_count', keySize: 4, valueSize: 8, maxEntries: 4, flags: MapFlag.MMAPABLE });
    const mapping = MappedArray.of(counters);
    const view = mapping.bytes;
    const p = loadProgram({
      name: 'test_mmap_prog',
      instructions: [
        st.w(R10, 3, -4), // key 3
        mov64.reg(R2, R10),
        add64.imm(R2, -4),
        ld.mapFd(R1, counters.fd),
        call(Helper.map_lookup_elem),
        jeq.imm(R0, 0, 'out'),
        mov64.imm(R1, 1),
        atomicAdd.dw(R0, R1, 0),
        label('out'),
        mov64.imm(R0, TcAct.OK),
        exit(),
      ],
    });
    try {
      testRun(p, { data: ethIpv4(), repeat: 7 });
      expect(view.readBigUInt64LE(3 * 8)).toBe(7n);
      testRun(p, { data: ethIpv4(), repeat: 2 });
      expect(view.readBigUInt64LE(3 * 8)).toBe(9n);
    } finally {
      p.close();
      mapping.close();
    }
  });

  it('writes through a writable mapping what lookups then read', () => {
    const m = make({ type: MapType.ARRAY, name: 'test_mmap_rw', keySize: 4, valueSize: 8, maxEntries: 8, flags: MapFlag.MMAPABLE });
    const writable = MappedArray.of(m, { writable: true });
    try {
      writable.bytes.writeBigUInt64LE(0x1234_5678_9abcn, 5 * writable.stride);
    } finally {
      writable.close();
    }
    expect(m.lookup(u32(5))?.readBigUInt64LE()).toBe(0x1234_5678_9abcn);
    expect(() => writable.bytes).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('refuses an array created without BPF_F_MMAPABLE', () => {
    const plain = make({ type: MapType.ARRAY, name: 'test_plain', keySize: 4, valueSize: 8, maxEntries: 8 });
    expect(() => MappedArray.of(plain)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('unmaps after one use, whatever the use did', () => {
    const m = make({ type: MapType.ARRAY, name: 'test_mmap_once', keySize: 4, valueSize: 8, maxEntries: 8, flags: MapFlag.MMAPABLE });
    let held: MappedArray | undefined;
    expect(() =>
      withMappedArray(m, {}, (mapped) => {
        held = mapped;
        throw new Error('the use failed');
      }),
    ).toThrow('the use failed');
    expect(() => held!.bytes).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
