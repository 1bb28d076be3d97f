// Which attach mechanism does this kernel offer? Asking for the tcx programs on loopback is
// harmless: kernels with tcx answer (0 programs), older ones refuse the attach type (EINVAL).

import { AttachType } from '../constants.ts';
import { libbpf } from '../libbpf.ts';
import type { BpfProgram } from '../program.ts';
import type { AttachKind, Attachment, AttachOptions } from './attachment.ts';
import { attachTc } from './tc.ts';
import { attachTcx } from './tcx.ts';

const LOOPBACK_IFINDEX = 1;
let probed: AttachKind | undefined;

export function detectAttachKind(): AttachKind {
  if (probed) return probed;
  const count = Buffer.alloc(4);
  const ret = libbpf().bpf_prog_query(LOOPBACK_IFINDEX, AttachType.TCX_INGRESS, 0, null, null, count);
  probed = ret === 0 ? 'tcx' : 'tc';
  return probed;
}

export interface AttachProgramOptions extends AttachOptions {
  /** force one mechanism; default: tcx when the kernel has it */
  kind?: AttachKind;
}

export function attachProgram(program: BpfProgram, options: AttachProgramOptions): Attachment {
  const kind = options.kind ?? detectAttachKind();
  return kind === 'tcx' ? attachTcx(program, options) : attachTc(program, options);
}
