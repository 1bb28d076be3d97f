// Consuming a BPF ring buffer (flow events) with libbpf's ring_buffer API and a koffi callback.
//
// Threading: libbpf calls our callback synchronously from inside ring_buffer__consume/poll, on the
// thread that called them. We call them from the JS main thread, so the callback runs there too.
// ring_buffer__poll(timeout > 0) would block the event loop inside epoll_wait, so the reader
// drains with ring_buffer__consume (never blocks) on a timer instead. Events wait in the ring
// between ticks: size the ring for (event rate x interval), or the programs' reserve calls fail
// and they must count the loss.
//
// The callback is a *registered* koffi callback (it outlives the call that hands it to libbpf),
// which takes one of koffi's limited slots until close() releases it.

import { BpfError } from '../errors.ts';
import { MapType } from './constants.ts';
import { errnoName, failure } from './errno.ts';
import { koffi, lastErrno, libbpf } from './libbpf.ts';
import type { BpfMap } from './map.ts';

export type RingBufferHandler = (event: Buffer) => void;

export class RingBufferReader {
  private rb: unknown;
  private callback: unknown;
  private timer: NodeJS.Timeout | undefined;
  private pending: unknown;

  constructor(map: BpfMap, onEvent: RingBufferHandler) {
    if (map.type !== MapType.RINGBUF) throw new BpfError('INVALID_ARGUMENT', `map ${map.name} is not a ring buffer`);
    const lib = libbpf();
    this.callback = koffi.register((_ctx: unknown, data: unknown, size: number | bigint): number => {
      try {
        // `data` points into the ring, which the producer reuses after we return: copy it out.
        // (memcpy into a Buffer: ~0.2 us; koffi.view + copy: ~3 us per event.)
        const bytes = Buffer.allocUnsafe(Number(size));
        lib.memcpy(bytes, data, bytes.length);
        onEvent(bytes);
        return 0;
      } catch (error) {
        // A non-zero return stops this consume call; the error is rethrown from it.
        this.pending = error;
        return -1;
      }
    }, koffi.pointer(lib.RingBufferSample));
    this.rb = lib.ring_buffer__new(map.fd, this.callback, null, null);
    if (!this.rb) {
      const errno = lastErrno();
      koffi.unregister(this.callback as bigint);
      throw new BpfError('RINGBUF_FAILED', `ring_buffer__new on ${map.name}: ${errnoName(errno)}`, { errno });
    }
  }

  private live(): unknown {
    if (!this.rb) throw new BpfError('RINGBUF_FAILED', 'ring buffer reader is closed');
    return this.rb;
  }

  private settle(ret: number, what: string): number {
    const pending = this.pending;
    this.pending = undefined;
    if (pending !== undefined) throw pending;
    if (ret < 0) throw failure('RINGBUF_FAILED', what, -ret);
    return ret;
  }

  /** Hand every event available now to the handler; never blocks. Returns how many. */
  consume(): number {
    return this.settle(libbpf().ring_buffer__consume(this.live()), 'ring buffer consume');
  }

  /** Wait up to `timeoutMs` for events (blocks the event loop meanwhile: keep it small). */
  poll(timeoutMs: number): number {
    return this.settle(libbpf().ring_buffer__poll(this.live(), timeoutMs), 'ring buffer poll');
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
    if (!this.rb) return;
    libbpf().ring_buffer__free(this.rb);
    this.rb = undefined;
    koffi.unregister(this.callback as bigint);
  }
}
