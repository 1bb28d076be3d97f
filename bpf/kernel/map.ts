// Maps: creation (bpf_map_create), element operations and batch operations, all on Buffers.
// Keys and values are raw bytes; declare their structure once with maps/layout.ts.
// Per-CPU maps exchange one value per possible CPU at a time (see percpu.ts).

import { BpfError } from '../errors.ts';
import { MapFlag, MapType, PERCPU_MAP_TYPES, UpdateFlag } from './constants.ts';
import { check, Errno, failure } from './errno.ts';
import { closeFd } from './fd.ts';
import { libbpf } from './libbpf.ts';
import { buildOpts, MapBatchOpts, MapCreateOpts, MapInfo } from './opts.ts';
import { perCpuStride, possibleCpus, splitPerCpu } from './percpu.ts';
import { openPinnedFd, pinFd } from './pin.ts';
import { kernelObjectName } from './program.ts';

export interface CreateMapOptions {
  /** enum bpf_map_type (MapType) */
  type: number;
  /** shown by bpftool; truncated to 15 characters */
  name: string;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  /** BPF_F_* (MapFlag); NO_PREALLOC is added for LPM tries, which require it */
  flags?: number;
}

export interface MapSpec {
  readonly type: number;
  readonly name: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
}

/** Entries per batch syscall: large enough to amortise the syscall, small enough for one hash bucket chain. */
const DEFAULT_BATCH = 256;

export class BpfMap implements MapSpec {
  /** bytes of the value buffer user space exchanges (all CPUs for per-CPU maps) */
  readonly valueBufferSize: number;
  readonly perCpu: boolean;

  constructor(
    readonly fd: number,
    readonly type: number,
    readonly name: string,
    readonly keySize: number,
    readonly valueSize: number,
    readonly maxEntries: number,
    readonly flags: number,
  ) {
    this.perCpu = PERCPU_MAP_TYPES.has(type);
    this.valueBufferSize = this.perCpu ? perCpuStride(valueSize) * possibleCpus() : valueSize;
  }

  private key(key: Uint8Array): Uint8Array {
    if (key.length !== this.keySize) {
      throw new BpfError('INVALID_ARGUMENT', `map ${this.name}: key is ${key.length} bytes, not ${this.keySize}`);
    }
    return key;
  }

  private value(value: Uint8Array): Uint8Array {
    if (value.length !== this.valueBufferSize) {
      throw new BpfError(
        'INVALID_ARGUMENT',
        `map ${this.name}: value is ${value.length} bytes, not ${this.valueBufferSize}` +
          (this.perCpu ? ` (${possibleCpus()} CPUs x ${perCpuStride(this.valueSize)})` : ''),
      );
    }
    return value;
  }

  /** The value for `key`, or undefined when there is none. LPM tries answer with the longest prefix. */
  lookup(key: Uint8Array): Buffer | undefined {
    const value = Buffer.alloc(this.valueBufferSize);
    const ret = libbpf().bpf_map_lookup_elem(this.fd, this.key(key), value);
    if (ret === -Errno.ENOENT) return undefined;
    check(ret, 'MAP_OP_FAILED', `lookup in ${this.name}`);
    return value;
  }

  /** Per-CPU maps: one value per possible CPU. */
  lookupPerCpu(key: Uint8Array): Buffer[] | undefined {
    if (!this.perCpu) throw new BpfError('INVALID_ARGUMENT', `map ${this.name} is not per-CPU`);
    const value = this.lookup(key);
    return value && splitPerCpu(value, this.valueSize);
  }

  update(key: Uint8Array, value: Uint8Array, flag: number = UpdateFlag.ANY): void {
    check(libbpf().bpf_map_update_elem(this.fd, this.key(key), this.value(value), flag), 'MAP_OP_FAILED', `update in ${this.name}`);
  }

  /** Returns false when the key was not there. */
  delete(key: Uint8Array): boolean {
    const ret = libbpf().bpf_map_delete_elem(this.fd, this.key(key));
    if (ret === -Errno.ENOENT) return false;
    check(ret, 'MAP_OP_FAILED', `delete in ${this.name}`);
    return true;
  }

  /** The key after `key` (the first key when omitted), or undefined at the end. */
  nextKey(key?: Uint8Array): Buffer | undefined {
    const next = Buffer.alloc(this.keySize);
    const ret = libbpf().bpf_map_get_next_key(this.fd, key ? this.key(key) : null, next);
    if (ret === -Errno.ENOENT) return undefined;
    check(ret, 'MAP_OP_FAILED', `next key in ${this.name}`);
    return next;
  }

  /** Iterate keys one syscall at a time; a concurrently deleted key may restart a hash walk. */
  *keys(): Generator<Buffer> {
    for (let k = this.nextKey(); k; k = this.nextKey(k)) yield k;
  }

  *entries(): Generator<[Buffer, Buffer]> {
    for (const k of this.keys()) {
      const v = this.lookup(k);
      if (v) yield [k, v];
    }
  }

  /**
   * All entries through BPF_MAP_LOOKUP_BATCH (hash, LRU, array, their per-CPU kinds; LPM tries too
   * on Linux 6.18, through the generic batch code; a map type without batch support answers
   * EINVAL). With `andDelete` each returned entry is removed in the same call (draining counters
   * without losing increments between read and delete; hash kinds only).
   */
  lookupBatch(options: { batchSize?: number; andDelete?: boolean } = {}): { keys: Buffer[]; values: Buffer[] } {
    const keys: Buffer[] = [];
    const values: Buffer[] = [];
    this.forEachBatch((keyBuf, valueBuf, n) => {
      for (let i = 0; i < n; i++) {
        keys.push(Buffer.from(keyBuf.subarray(i * this.keySize, (i + 1) * this.keySize)));
        values.push(Buffer.from(valueBuf.subarray(i * this.valueBufferSize, (i + 1) * this.valueBufferSize)));
      }
    }, options);
    return { keys, values };
  }

  /**
   * The same walk as lookupBatch, a batch at a time in two reused buffers (entry i's key at
   * i * keySize, its value at i * valueBufferSize), valid only during `visit`: nothing is allocated
   * per entry, so a scrape reads a 10,000-rule program's counters or counts a conntrack table cheaply.
   */
  forEachBatch(visit: (keys: Buffer, values: Buffer, count: number) => void, options: { batchSize?: number; andDelete?: boolean } = {}): void {
    const batch = Math.max(1, options.batchSize ?? Math.min(DEFAULT_BATCH, this.maxEntries));
    const keyBuf = Buffer.alloc(batch * this.keySize);
    const valueBuf = Buffer.alloc(batch * this.valueBufferSize);
    const count = Buffer.alloc(4);
    // The cursor is opaque: a u32 bucket for hash maps, a key for arrays. Size it for both.
    const cursorSize = Math.max(this.keySize, 8);
    let inBatch: Buffer | null = null;
    const outBatch = Buffer.alloc(cursorSize);
    const opts = buildOpts(MapBatchOpts, {});
    const op = options.andDelete ? libbpf().bpf_map_lookup_and_delete_batch : libbpf().bpf_map_lookup_batch;
    for (;;) {
      count.writeUInt32LE(batch);
      const ret = op(this.fd, inBatch, outBatch, keyBuf, valueBuf, count, opts);
      if (ret < 0 && ret !== -Errno.ENOENT) throw failure('MAP_OP_FAILED', `batch lookup in ${this.name}`, -ret);
      visit(keyBuf, valueBuf, count.readUInt32LE());
      if (ret === -Errno.ENOENT) return; // end of map
      inBatch = Buffer.from(outBatch);
    }
  }

  /** How many entries the map holds, walked as forEachBatch walks it. Same map types as lookupBatch. */
  countEntries(batchSize = DEFAULT_BATCH): number {
    let total = 0;
    this.forEachBatch(
      (_keys, _values, n) => {
        total += n;
      },
      { batchSize: Math.min(batchSize, this.maxEntries) },
    );
    return total;
  }

  /** BPF_MAP_UPDATE_BATCH: one syscall for many entries. Returns how many were written. */
  updateBatch(keys: readonly Uint8Array[], values: readonly Uint8Array[], flag: number = UpdateFlag.ANY): number {
    if (keys.length !== values.length) throw new BpfError('INVALID_ARGUMENT', 'keys and values differ in length');
    if (keys.length === 0) return 0;
    return this.updatePacked(Buffer.concat(keys.map((k) => this.key(k))), Buffer.concat(values.map((v) => this.value(v))), flag);
  }

  /**
   * BPF_MAP_UPDATE_BATCH over entries already packed as the syscall takes them: the keys back to
   * back, the values (valueBufferSize bytes each) likewise, in the same order. Nothing is copied: a
   * 10,000-rule classifier's 12.8 MiB of vectors go to the kernel from the buffer they were built in.
   * Returns how many were written.
   */
  updatePacked(keys: Uint8Array, values: Uint8Array, flag: number = UpdateFlag.ANY): number {
    const entries = keys.length / this.keySize;
    if (!Number.isInteger(entries) || values.length !== entries * this.valueBufferSize) {
      throw new BpfError(
        'INVALID_ARGUMENT',
        `map ${this.name}: ${keys.length} bytes of keys and ${values.length} of values are not whole entries of ${this.keySize} and ${this.valueBufferSize} bytes, as many of each`,
      );
    }
    if (entries === 0) return 0;
    const count = Buffer.alloc(4);
    count.writeUInt32LE(entries);
    const ret = libbpf().bpf_map_update_batch(this.fd, keys, values, count, buildOpts(MapBatchOpts, { elem_flags: BigInt(flag) }));
    if (ret < 0) {
      throw failure('MAP_OP_FAILED', `batch update in ${this.name} (${count.readUInt32LE()} of ${entries} written)`, -ret);
    }
    return count.readUInt32LE();
  }

  /** BPF_MAP_DELETE_BATCH. Fails with ENOENT (after deleting the ones before it) on a missing key. */
  deleteBatch(keys: readonly Uint8Array[]): number {
    if (keys.length === 0) return 0;
    const keyBuf = Buffer.concat(keys.map((k) => this.key(k)));
    const count = Buffer.alloc(4);
    count.writeUInt32LE(keys.length);
    const ret = libbpf().bpf_map_delete_batch(this.fd, keyBuf, count, buildOpts(MapBatchOpts, {}));
    if (ret < 0) {
      throw failure('MAP_OP_FAILED', `batch delete in ${this.name} (${count.readUInt32LE()} of ${keys.length} deleted)`, -ret);
    }
    return count.readUInt32LE();
  }

  /** Make the map read-only for user space from now on (programs can still write unless RDONLY_PROG). */
  freeze(): void {
    check(libbpf().bpf_map_freeze(this.fd), 'MAP_OP_FAILED', `freeze ${this.name}`);
  }

  pin(path: string): void {
    pinFd(this.fd, path);
  }

  private closed = false;

  /** Drop our fd (idempotent: a second close must not hit an fd number reused since). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeFd(this.fd);
  }
}

/** bpf_map_create's arguments for `options`, and the map once the kernel has given its fd. */
function mapCreation(options: CreateMapOptions) {
  let flags = options.flags ?? 0;
  // The kernel refuses preallocated LPM tries (EINVAL); say it once here instead of at every call.
  if (options.type === MapType.LPM_TRIE) flags |= MapFlag.NO_PREALLOC;
  const name = kernelObjectName(options.name);
  const opts = buildOpts(MapCreateOpts, { map_flags: flags });
  return {
    args: [options.type, name, options.keySize, options.valueSize, options.maxEntries, opts] as const,
    made(fd: number): BpfMap {
      check(fd, 'MAP_CREATE_FAILED', `create map ${options.name}`);
      return new BpfMap(fd, options.type, options.name, options.keySize, options.valueSize, options.maxEntries, flags);
    },
  };
}

export function createMap(options: CreateMapOptions): BpfMap {
  const creation = mapCreation(options);
  return creation.made(libbpf().bpf_map_create(...creation.args));
}

/**
 * createMap on one of koffi's worker threads, so the caller's thread goes on meanwhile: the kernel
 * fills a preallocated map's free list at creation, ~100 ms for the 262,145-entry conntrack table
 * (31.5 MB of entries) on the bench machine, time an agent starting up can spend verifying its bundle.
 */
export function createMapOffThread(options: CreateMapOptions): Promise<BpfMap> {
  const creation = mapCreation(options);
  return new Promise((resolve, reject) => {
    libbpf().bpf_map_create.async(...creation.args, (error: unknown, fd: number) => {
      if (error) return reject(error);
      try {
        resolve(creation.made(fd));
      } catch (failed) {
        reject(failed);
      }
    });
  });
}

/** Describe an open map fd (type, sizes, name) from the kernel. */
export function mapSpecOf(fd: number): MapSpec {
  const info = Buffer.alloc(MapInfo.size);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(info.length);
  check(libbpf().bpf_obj_get_info_by_fd(fd, info, len), 'MAP_OP_FAILED', 'map info');
  const i = MapInfo.decode(info);
  const name = Buffer.from(i.name);
  const end = name.indexOf(0);
  return {
    type: i.type,
    name: name.toString('utf8', 0, end < 0 ? name.length : end),
    keySize: i.key_size,
    valueSize: i.value_size,
    maxEntries: i.max_entries,
    flags: i.map_flags,
  };
}

/** Open a pinned map; its type and sizes come from the kernel. */
export function openPinnedMap(path: string): BpfMap {
  const fd = openPinnedFd(path);
  try {
    const s = mapSpecOf(fd);
    return new BpfMap(fd, s.type, s.name, s.keySize, s.valueSize, s.maxEntries, s.flags);
  } catch (error) {
    closeFd(fd);
    throw error;
  }
}
