// Loading programs (BPF_PROG_LOAD through libbpf's bpf_prog_load).
//
// The first attempt runs without a verifier log: logging slows verification down, and most loads
// succeed. On failure we load again with log level 1 (or the level asked for) into a 16 MiB
// buffer and throw VERIFIER_REJECTED with the log. Since Linux 6.4 the log is a ring that keeps
// its *end* when it overflows (the kernel then returns ENOSPC), and the end is where the reason is.

import { type AssembledProgram, assemble } from '../asm/assembler.ts';
import type { ProgramSource } from '../asm/instruction.ts';
import { INSN_SIZE } from '../asm/limits.ts';
import { BpfError } from '../errors.ts';
import { ProgType } from './constants.ts';
import { check, errnoName } from './errno.ts';
import { closeFd } from './fd.ts';
import { libbpf } from './libbpf.ts';
import { buildOpts, ProgInfo, ProgLoadOpts, ptr } from './opts.ts';
import { openPinnedFd, pinFd } from './pin.ts';

/** Kernel object names hold 15 characters plus NUL (BPF_OBJ_NAME_LEN) from [A-Za-z0-9_.]. */
export const OBJ_NAME_MAX = 15;
const OBJ_NAME = /^[A-Za-z0-9_.]*$/;

/** Verifier log buffer for the retry: big enough for level 1 on programs near the size limit. */
export const VERIFIER_LOG_SIZE = 16 * 1024 * 1024;

export function kernelObjectName(name: string): string {
  if (!OBJ_NAME.test(name)) {
    throw new BpfError('INVALID_ARGUMENT', `object name "${name}" may only use letters, digits, "_" and "."`);
  }
  return name.slice(0, OBJ_NAME_MAX);
}

export type LogLevel = 0 | 1 | 2;

export interface LoadProgramOptions {
  /** enum bpf_prog_type; default SCHED_CLS (tc/tcx) */
  type?: number;
  /** shown by bpftool; truncated to 15 characters */
  name: string;
  /**
   * Default "GPL": the verifier refuses GPL-only helpers to other licenses ("cannot call
   * GPL-restricted function"). Measured on 6.18 with "Apache-2.0": trace_printk and
   * perf_event_output refused; ringbuf_*, skb_load_bytes, skb_store_bytes, ktime_get_ns,
   * get_smp_processor_id accepted. The programs are generated on the node, never distributed.
   */
  license?: string;
  /** an assembled program, items to assemble, or raw instruction bytes */
  instructions: AssembledProgram | ProgramSource | Buffer;
  /** verifier log level for the first attempt; 0 (default) logs only on failure */
  logLevel?: LogLevel;
  /** enum bpf_attach_type the program will be attached with, when the type needs it */
  expectedAttachType?: number;
}

export class BpfProgram {
  constructor(
    readonly fd: number,
    readonly name: string,
    readonly type: number,
    /** program length in 8-byte slots */
    readonly slotCount: number,
    /** the verifier's output when a log level was asked for on a successful load */
    readonly verifierLog?: string,
  ) {}

  /** Kernel-wide program id (what link info and tc query report). */
  id(): number {
    const info = Buffer.alloc(ProgInfo.size);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(info.length);
    check(libbpf().bpf_obj_get_info_by_fd(this.fd, info, len), 'INVALID_ARGUMENT', 'program info');
    return ProgInfo.decode(info).id;
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

/**
 * The verifier's reason, without the trace: the lines after the last traced instruction
 * ("12: (61) r2 = ...") and before the "processed N insns" statistics.
 */
export function summarizeVerifierLog(log: string): string {
  const lines = log.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('processed '));
  let lastInsn = -1;
  lines.forEach((l, i) => {
    if (/^\d+: \(/.test(l)) lastInsn = i;
  });
  return lines.slice(lastInsn + 1).join('; ') || (lines.at(-1) ?? '');
}

function toBytes(instructions: LoadProgramOptions['instructions']): Buffer {
  if (Buffer.isBuffer(instructions)) {
    if (instructions.length === 0 || instructions.length % INSN_SIZE !== 0) {
      throw new BpfError('INVALID_ARGUMENT', `instruction bytes must be a non-empty multiple of ${INSN_SIZE}`);
    }
    return instructions;
  }
  if (!Array.isArray(instructions) && 'bytes' in (instructions as object)) {
    return (instructions as AssembledProgram).bytes;
  }
  return assemble(instructions as ProgramSource).bytes;
}

const logText = (buf: Buffer): string => {
  const end = buf.indexOf(0);
  return buf.toString('utf8', 0, end < 0 ? buf.length : end).trimEnd();
};

function attempt(options: LoadProgramOptions, bytes: Buffer, logLevel: LogLevel): { fd: number; log: string | undefined } {
  const log = logLevel > 0 ? Buffer.alloc(VERIFIER_LOG_SIZE) : null;
  const opts = buildOpts(ProgLoadOpts, {
    expected_attach_type: options.expectedAttachType ?? 0,
    log_level: logLevel,
    log_size: log?.length ?? 0,
    log_buf: ptr(log),
  });
  const fd = libbpf().bpf_prog_load(
    options.type ?? ProgType.SCHED_CLS,
    kernelObjectName(options.name),
    options.license ?? 'GPL',
    bytes,
    bytes.length / INSN_SIZE,
    opts,
  );
  return { fd, log: log ? logText(log) : undefined };
}

export function loadProgram(options: LoadProgramOptions): BpfProgram {
  const bytes = toBytes(options.instructions);
  const slotCount = bytes.length / INSN_SIZE;
  const type = options.type ?? ProgType.SCHED_CLS;
  const first = attempt(options, bytes, options.logLevel ?? 0);
  if (first.fd >= 0) return new BpfProgram(first.fd, options.name, type, slotCount, first.log);

  // The first attempt's errno is the verdict; a retry with a log may add ENOSPC (log truncated).
  const errno = -first.fd;
  let verifierLog = first.log;
  if (verifierLog === undefined) {
    const retry = attempt(options, bytes, 1);
    if (retry.fd >= 0) {
      // Loaded on the second try (a transient failure such as EAGAIN): keep it.
      return new BpfProgram(retry.fd, options.name, type, slotCount);
    }
    verifierLog = retry.log;
  }
  if (verifierLog) {
    throw new BpfError('VERIFIER_REJECTED', `verifier rejected program ${options.name} (${errnoName(errno)}): ${summarizeVerifierLog(verifierLog)}`, {
      errno,
      verifierLog,
    });
  }
  throw new BpfError('PROGRAM_LOAD_FAILED', `loading program ${options.name}: ${errnoName(errno)}`, { errno });
}

/** Open a pinned program (its name and length are not known from the pin; ask bpftool). */
export function openPinnedProgram(path: string, type: number = ProgType.SCHED_CLS): BpfProgram {
  return new BpfProgram(openPinnedFd(path), path, type, 0);
}
