// One closed set of error codes for everything under bpf/. Callers branch on `code`,
// never on message text. Kernel failures also carry the positive errno the kernel gave.

export const BPF_ERROR_CODES = [
  // assembler / builders (no kernel involved)
  'LABEL_MISSING', // a jump names a label that the program does not define
  'LABEL_DUPLICATE', // the same label is defined twice
  'OPERAND_OUT_OF_RANGE', // a register, offset or immediate does not fit its field
  'PROGRAM_TOO_LARGE', // more instructions than the kernel accepts
  'LAYOUT_INVALID', // a map key/value layout is inconsistent, or a value does not fit
  // kernel
  'VERIFIER_REJECTED', // BPF_PROG_LOAD failed; verifierLog holds the verifier's reasons
  'PROGRAM_LOAD_FAILED', // BPF_PROG_LOAD failed without a verifier verdict (EPERM, ENOMEM, E2BIG...)
  'MAP_CREATE_FAILED',
  'MAP_OP_FAILED', // lookup/update/delete/batch failed for a reason other than "no such key"
  'PIN_FAILED', // bpffs mount, pin, open-pinned or unpin failed
  'ATTACH_FAILED', // tcx link create/update/detach or tc filter attach/replace/detach failed
  'TEST_RUN_FAILED', // BPF_PROG_TEST_RUN refused the run (not the program's verdict)
  'RINGBUF_FAILED',
  'NETNS_FAILED',
  'UNSUPPORTED', // the running kernel or libbpf lacks a feature we need
  'INVALID_ARGUMENT', // caller error detected before calling the kernel
] as const;

export type BpfErrorCode = (typeof BPF_ERROR_CODES)[number];

export interface BpfErrorDetails {
  /** positive errno from the kernel / libbpf, when the failure came from a syscall */
  errno?: number;
  /** verifier output (log level 1 or 2), only for VERIFIER_REJECTED */
  verifierLog?: string;
  cause?: unknown;
}

export class BpfError extends Error {
  override readonly name = 'BpfError';
  readonly code: BpfErrorCode;
  readonly errno: number | undefined;
  readonly verifierLog: string | undefined;

  constructor(code: BpfErrorCode, message: string, details: BpfErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.errno = details.errno;
    this.verifierLog = details.verifierLog;
  }
}

export function isBpfError(value: unknown, code?: BpfErrorCode): value is BpfError {
  return value instanceof BpfError && (code === undefined || value.code === code);
}
