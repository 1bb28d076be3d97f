// tc attachment through libbpf's netlink API: a clsact qdisc on the interface (created if
// missing, shared with anyone else's filters) and one cls_bpf filter in direct-action mode at a
// fixed handle and priority. Re-attaching with BPF_TC_F_REPLACE at the same handle/priority swaps
// the program atomically. Deleting the clsact qdisc would remove *every* filter on it, so detach
// only deletes our filter.

import { check } from '../errno.ts';
import { libbpf } from '../libbpf.ts';
import { buildOpts, TcHook, TcOpts } from '../opts.ts';
import type { BpfProgram } from '../program.ts';
import type { Attachment, AttachOptions, Direction } from './attachment.ts';

/** enum bpf_tc_attach_point */
const TC_POINT: Record<Direction, number> = { ingress: 1, egress: 2 };
/** enum bpf_tc_flags */
const BPF_TC_F_REPLACE = 1;
const EEXIST = 17;

/** Our filter's place in the clsact chain. Priority 1 runs before filters added by default tools. */
export const TC_HANDLE = 1;
export const TC_PRIORITY = 1;

export interface TcAttachOptions extends AttachOptions {
  handle?: number;
  priority?: number;
}

export class TcAttachment implements Attachment {
  readonly kind = 'tc' as const;

  constructor(
    readonly ifindex: number,
    readonly direction: Direction,
    readonly handle: number,
    readonly priority: number,
  ) {}

  private hook(): Buffer {
    return buildOpts(TcHook, { ifindex: this.ifindex, attach_point: TC_POINT[this.direction] });
  }

  replace(program: BpfProgram): void {
    const opts = buildOpts(TcOpts, { prog_fd: program.fd, flags: BPF_TC_F_REPLACE, handle: this.handle, priority: this.priority });
    check(libbpf().bpf_tc_attach(this.hook(), opts), 'ATTACH_FAILED', `tc replace on ifindex ${this.ifindex}`);
  }

  programId(): number {
    const opts = buildOpts(TcOpts, { handle: this.handle, priority: this.priority });
    check(libbpf().bpf_tc_query(this.hook(), opts), 'ATTACH_FAILED', `tc query on ifindex ${this.ifindex}`);
    return TcOpts.decode(opts).prog_id;
  }

  pin(_path: string): void {
    // A tc filter is kernel state that outlives the process already; nothing to pin.
  }

  detach(): void {
    const opts = buildOpts(TcOpts, { handle: this.handle, priority: this.priority });
    check(libbpf().bpf_tc_detach(this.hook(), opts), 'ATTACH_FAILED', `tc detach on ifindex ${this.ifindex}`);
  }

  close(): void {
    // Nothing held: the filter stays until detach().
  }
}

export function attachTc(program: BpfProgram, options: TcAttachOptions): TcAttachment {
  const attachment = new TcAttachment(options.ifindex, options.direction, options.handle ?? TC_HANDLE, options.priority ?? TC_PRIORITY);
  const hook = buildOpts(TcHook, { ifindex: options.ifindex, attach_point: TC_POINT[options.direction] });
  const created = libbpf().bpf_tc_hook_create(hook);
  if (created !== -EEXIST) check(created, 'ATTACH_FAILED', `clsact on ifindex ${options.ifindex}`);
  const opts = buildOpts(TcOpts, { prog_fd: program.fd, handle: attachment.handle, priority: attachment.priority });
  check(libbpf().bpf_tc_attach(hook, opts), 'ATTACH_FAILED', `tc ${options.direction} attach on ifindex ${options.ifindex}`);
  return attachment;
}
