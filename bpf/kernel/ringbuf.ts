// Consuming a BPF ring buffer (flow events) by reading its memory directly: the map is mmapped the
// way libbpf's ring_buffer does it, and the records are walked in JS.
//
// Why not libbpf's ring_buffer__consume: it calls a koffi callback per record, and a native-to-JS
// callback costs microseconds. At one event per new flow that was the agent's whole CPU (issue 13:
// new-flow UDP at ~150 kpps kept a core busy draining). Walking the mapped memory costs a copy and
// a few loads per record.
//
// Memory layout (kernel/bpf/ringbuf.c, the same on every kernel with ring buffers):
//   offset 0:          consumer page (read-write): consumer_pos, u64 at 0
//   offset PAGE:       producer page (read-only):  producer_pos, u64 at 0
//   offset 2 x PAGE:   data, `maxEntries` bytes, mapped twice in a row so a record that wraps
//                      around the end is contiguous.
// Each record: an 8-byte header (u32 length with the BUSY and DISCARD bits, u32 page offset), the
// data, padded to 8 bytes. The positions only grow; position modulo size is the offset in data.
// The positions and the header word are read and written with Atomics (acquire/release in the
// kernel's terms), as libbpf's smp_load_acquire / smp_store_release do.
//
// Threading: consume() runs on the JS main thread, from a timer (never blocks). Events wait in the
// ring between ticks: size the ring for (event rate x interval), or the programs' output calls
// fail and they must count the loss.

import { BpfError } from '../errors.ts';
import { MapType } from './constants.ts';
import { errnoName } from './errno.ts';
import { koffi, lastErrno, libbpf } from './libbpf.ts';
import type { BpfMap } from './map.ts';

export type RingBufferHandler = (event: Buffer) => void;

const PROT_READ = 0x1;
const PROT_WRITE = 0x2;
const MAP_SHARED = 0x01;
const SC_PAGESIZE = 30; // glibc's _SC_PAGESIZE
const MAP_FAILED = 0xffff_ffff_ffff_ffffn;
const BUSY_BIT = 0x8000_0000;
const DISCARD_BIT = 0x4000_0000;
const HEADER_SIZE = 8;

interface Mapping {
  pointer: unknown;
  length: number;
}

function mmap(map: BpfMap, length: number, prot: number, offset: number): Mapping {
  const pointer = libbpf().mmap(null, length, prot, MAP_SHARED, map.fd, offset);
  if (!pointer || koffi.address(pointer) === MAP_FAILED) {
    const errno = lastErrno();
    throw new BpfError('RINGBUF_FAILED', `mmap of ring buffer ${map.name}: ${errnoName(errno)}`, { errno });
  }
  return { pointer, length };
}

export class RingBufferReader {
  private mappings: Mapping[] = [];
  /** consumer_pos (read-write) and producer_pos (read-only), as one-element u64 arrays over the mapped pages. */
  private consumerPos: BigUint64Array | undefined;
  private producerPos: BigUint64Array | undefined;
  /** The data area twice; `headers` is the same memory as u32 words, for the atomic header loads. */
  private data: Uint8Array | undefined;
  private headers: Uint32Array | undefined;
  private readonly size: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    map: BpfMap,
    private readonly onEvent: RingBufferHandler,
  ) {
    if (map.type !== MapType.RINGBUF) throw new BpfError('INVALID_ARGUMENT', `map ${map.name} is not a ring buffer`);
    const page = Number(libbpf().sysconf(SC_PAGESIZE));
    const size = map.maxEntries;
    this.size = size;
    try {
      const consumer = mmap(map, page, PROT_READ | PROT_WRITE, 0);
      this.mappings.push(consumer);
      const producer = mmap(map, page + 2 * size, PROT_READ, page);
      this.mappings.push(producer);
      this.consumerPos = new BigUint64Array(koffi.view(consumer.pointer, page), 0, 1);
      const producerArea = koffi.view(producer.pointer, producer.length);
      this.producerPos = new BigUint64Array(producerArea, 0, 1);
      this.data = new Uint8Array(producerArea, page, 2 * size);
      this.headers = new Uint32Array(producerArea, page, (2 * size) / 4);
    } catch (error) {
      this.unmap();
      throw error;
    }
  }

  private unmap(): void {
    for (const { pointer, length } of this.mappings) libbpf().munmap(pointer, length);
    this.mappings = [];
    this.consumerPos = this.producerPos = undefined;
    this.data = this.headers = undefined;
  }

  /**
   * Hand every event available now to the handler; never blocks. Returns how many. An error from the
   * handler is rethrown after the consumer moved past its event (as libbpf does), so one bad event
   * is not handed over again.
   */
  consume(): number {
    const consumerPos = this.consumerPos;
    const producerPos = this.producerPos;
    const data = this.data;
    const headers = this.headers;
    if (!consumerPos || !producerPos || !data || !headers) throw new BpfError('RINGBUF_FAILED', 'ring buffer reader is closed');
    let count = 0;
    // Positions are u64 but a ring of a few MiB needs centuries to pass 2^53 bytes: numbers are exact.
    let cons = Number(Atomics.load(consumerPos, 0));
    try {
      for (;;) {
        const prod = Number(Atomics.load(producerPos, 0));
        if (cons >= prod) break;
        while (cons < prod) {
          // positions pass 2^32 within minutes of new flows (a pinned ring outlives agents): kept
          // as exact Numbers, reduced modulo the ring's size
          const at = cons % this.size;
          const header = Atomics.load(headers, at / 4);
          // a producer reserved the record but has not committed it yet: later records wait for it
          if (header & BUSY_BIT) return count;
          const length = header & ~(BUSY_BIT | DISCARD_BIT);
          cons += (length + HEADER_SIZE + 7) & ~7;
          if (header & DISCARD_BIT) continue;
          // copied out: the producer reuses the space once consumer_pos moves past it
          const start = at + HEADER_SIZE;
          const event = Buffer.from(data.subarray(start, start + length));
          count++;
          this.onEvent(event);
        }
      }
      return count;
    } finally {
      Atomics.store(consumerPos, 0, BigInt(cons));
    }
  }

  /** Drain every `intervalMs` from the event loop until stop() or close(). Errors go to onError. */
  start(intervalMs = 100, onError: (error: unknown) => void = () => {}): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.consume();
      } catch (error) {
        onError(error);
      }
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  close(): void {
    this.stop();
    this.unmap();
  }
}
