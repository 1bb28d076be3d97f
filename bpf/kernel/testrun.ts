// BPF_PROG_TEST_RUN: run a loaded program on a packet we craft, without attaching it anywhere.
// For SCHED_CLS the packet starts at the Ethernet header and the kernel refuses input shorter
// than ETH_HLEN (14); with EtherType IPv4 it also wants the whole IPv4 header (measured on 6.18:
// 33 bytes -> EINVAL, 34 accepted), so craft truncated packets with another EtherType. The kernel builds a real skb around the data (protocol from the EtherType,
// ifindex of loopback), runs the program `repeat` times and reports the mean time per run.

import { BpfError } from '../errors.ts';
import { ETH_HLEN, ProgType, SK_BUFF_SIZE } from './constants.ts';
import { check } from './errno.ts';
import { libbpf } from './libbpf.ts';
import { buildOpts, ptr, TestRunOpts } from './opts.ts';
import type { BpfProgram } from './program.ts';

/** Room for programs that grow the packet (encapsulation, bpf_skb_adjust_room). */
const DATA_OUT_HEADROOM = 256;

export interface TestRunOptions {
  /** the packet, from the Ethernet header on */
  data: Buffer;
  /** runs to average over (default 1) */
  repeat?: number;
  /** a struct __sk_buff to start from (mark, priority, cb, ifindex, ...); SK_BUFF_SIZE bytes */
  ctxIn?: Buffer;
}

export interface TestRunResult {
  /** R0 at exit, signed (so TCX_NEXT reads as -1) */
  retval: number;
  /** mean nanoseconds per run as measured by the kernel */
  durationNs: number;
  /** the packet after the program ran */
  dataOut: Buffer;
  /** the __sk_buff after the run, when ctxIn was given */
  ctxOut?: Buffer;
}

export function testRun(program: BpfProgram, options: TestRunOptions): TestRunResult {
  const { data } = options;
  if (program.type === ProgType.SCHED_CLS && data.length < ETH_HLEN) {
    throw new BpfError('INVALID_ARGUMENT', `a tc test run needs at least ${ETH_HLEN} bytes of packet`);
  }
  const repeat = options.repeat ?? 1;
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 0xffff_ffff) {
    throw new BpfError('INVALID_ARGUMENT', `repeat must be a positive integer, not ${repeat}`);
  }
  if (options.ctxIn && options.ctxIn.length !== SK_BUFF_SIZE && program.type === ProgType.SCHED_CLS) {
    throw new BpfError('INVALID_ARGUMENT', `ctxIn must be a ${SK_BUFF_SIZE}-byte struct __sk_buff`);
  }
  const dataOut = Buffer.alloc(data.length + DATA_OUT_HEADROOM);
  const ctxOut = options.ctxIn ? Buffer.alloc(options.ctxIn.length) : null;
  const opts = buildOpts(TestRunOpts, {
    data_in: ptr(data),
    data_size_in: data.length,
    data_out: ptr(dataOut),
    data_size_out: dataOut.length,
    ctx_in: ptr(options.ctxIn),
    ctx_size_in: options.ctxIn?.length ?? 0,
    ctx_out: ptr(ctxOut),
    ctx_size_out: ctxOut?.length ?? 0,
    repeat,
  });
  check(libbpf().bpf_prog_test_run_opts(program.fd, opts), 'TEST_RUN_FAILED', `test run of ${program.name}`);
  const field = (name: 'retval' | 'duration' | 'data_size_out' | 'ctx_size_out'): number => opts.readUInt32LE(TestRunOpts.offsetOf(name));
  return {
    retval: field('retval') | 0,
    durationNs: field('duration'),
    dataOut: dataOut.subarray(0, field('data_size_out')),
    ...(ctxOut ? { ctxOut: ctxOut.subarray(0, field('ctx_size_out')) } : {}),
  };
}
