// An array map's values read (or written) in place: a BPF_F_MMAPABLE array mmapped into this
// process. Why: BPF_MAP_LOOKUP_BATCH copies every value out through the kernel, tens of ms for a
// 32 MiB array even when the caller only wants to count a few live elements; the mapping is the
// map's own memory, read with plain loads and no syscall.
//
// Layout (kernel/bpf/arraymap.c, array_map_alloc and array_map_mmap, read in 6.12's source): the
// values of an mmapable array start on a page of their own, and offset 0 of the mapping is element
// 0; element i is at i * round_up(value_size, 8), the stride of every array's elements. A mapping
// may cover at most the elements, rounded up to a page. The mapping holds the map's file: the map
// lives on until it is unmapped, whatever happens to its fds and pins. Every page is mapped at
// mmap time, and the process's VmRSS counts them (RssFile), though they are the map's own memory:
// a 32 MiB table kept mapped shows as 32 MiB more of the agent's. So mappings are held for one
// use (withMappedArray) and unmapped after it; mapping a 32 MiB array costs a few ms.
//
// A writable mapping keeps the map from being frozen (the kernel counts writable mappings). Programs
// write the memory while user space reads it: reads race their writes, as a batch lookup's copy does;
// the map's own conventions (a sequence word) say which reads can be trusted.

import { BpfError } from '../errors.ts';
import { MapFlag, MapType } from './constants.ts';
import { errnoName } from './errno.ts';
import { koffi, lastErrno, libbpf } from './libbpf.ts';

/** What mapping needs of a map (map.ts's BpfMap has it; not imported: map.ts imports this file). */
export interface MappableMap {
  readonly fd: number;
  readonly type: number;
  readonly name: string;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
}

const PROT_READ = 0x1;
const PROT_WRITE = 0x2;
const MAP_SHARED = 0x01;
const MAP_FAILED = 0xffff_ffff_ffff_ffffn;

/** Bytes from one array element to the next, in the kernel and in a mapping: the value rounded up to 8. */
export const arrayStride = (valueSize: number): number => Math.ceil(valueSize / 8) * 8;

/** Whether `map` can be mapped: an array created with BPF_F_MMAPABLE. */
export const isMappable = (map: Pick<MappableMap, 'type' | 'flags'>): boolean => map.type === MapType.ARRAY && (map.flags & MapFlag.MMAPABLE) !== 0;

export class MappedArray {
  /** Bytes from element i to element i + 1. */
  readonly stride: number;
  private pointer: unknown;
  private mapped: Buffer | undefined;

  private constructor(
    pointer: unknown,
    private readonly length: number,
    readonly elements: number,
    valueSize: number,
  ) {
    this.pointer = pointer;
    this.stride = arrayStride(valueSize);
    this.mapped = Buffer.from(koffi.view(pointer, length), 0, elements * this.stride);
  }

  /**
   * Maps every element of `map` (an mmapable array, from an fd this process holds). Read-only unless
   * `writable`: a reader cannot scribble over what programs read.
   */
  static of(map: MappableMap, options: { writable?: boolean } = {}): MappedArray {
    if (!isMappable(map)) throw new BpfError('INVALID_ARGUMENT', `map ${map.name} is not an array created with BPF_F_MMAPABLE`);
    const length = map.maxEntries * arrayStride(map.valueSize);
    const prot = options.writable ? PROT_READ | PROT_WRITE : PROT_READ;
    const pointer = libbpf().mmap(null, length, prot, MAP_SHARED, map.fd, 0);
    if (!pointer || koffi.address(pointer) === MAP_FAILED) {
      const errno = lastErrno();
      throw new BpfError('MAP_OP_FAILED', `mmap of array ${map.name}: ${errnoName(errno)}`, { errno });
    }
    return new MappedArray(pointer, length, map.maxEntries, map.valueSize);
  }

  /**
   * The elements, element i at i * stride: the map's memory itself, no copy. Valid until close():
   * do not keep it past that (reading an unmapped page kills the process, it does not throw).
   */
  get bytes(): Buffer {
    if (!this.mapped) throw new BpfError('INVALID_ARGUMENT', 'mapped array is closed');
    return this.mapped;
  }

  /** Unmaps (idempotent). */
  close(): void {
    if (!this.mapped) return;
    this.mapped = undefined;
    libbpf().munmap(this.pointer, this.length);
    this.pointer = null;
  }
}

/** Runs `use` over `map`'s elements mapped (MappedArray.of), unmapped when it returns or throws. */
export function withMappedArray<T>(map: MappableMap, options: { writable?: boolean }, use: (mapped: MappedArray) => T): T {
  const mapped = MappedArray.of(map, options);
  try {
    return use(mapped);
  } finally {
    mapped.close();
  }
}
