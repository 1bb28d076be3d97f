// One interface for the two ways of hooking a SCHED_CLS program to an interface:
// - tcx (Linux 6.6+): a BPF link owned by an fd or a bpffs pin; replaced atomically with
//   bpf_link_update; detached when the link goes away. Other tcx programs on the same interface
//   (Cilium, ...) keep running in their own slots.
// - tc (clsact qdisc + cls_bpf filter in direct-action mode): the fallback for older kernels. The
//   filter lives in the kernel until deleted, whatever happens to our process; replaced
//   atomically by re-attaching with BPF_TC_F_REPLACE at the same handle and priority.
// Either way a packet sees the old program or the new one, never neither.
//
// Host side of a pod veth: ingress = traffic leaving the pod, egress = traffic entering it.
//
// Namespaces: calls that name an ifindex (attaching; every tc operation, which goes through
// netlink) resolve it in the calling thread's network namespace (see netns.ts withNetns). Calls on
// a tcx link fd (replace, programId, detach, pin) work from any namespace.

import type { BpfProgram } from '../program.ts';

export type Direction = 'ingress' | 'egress';
export type AttachKind = 'tcx' | 'tc';

export interface Attachment {
  readonly kind: AttachKind;
  readonly ifindex: number;
  readonly direction: Direction;
  /** Swap in another program atomically. */
  replace(program: BpfProgram): void;
  /** Kernel id of the program attached now. */
  programId(): number;
  /**
   * Keep the attachment after this process exits, findable at `path` (tcx: pins the link; tc: a
   * filter already outlives the process, so nothing is written).
   */
  pin(path: string): void;
  /** Remove the program from the interface (and the pin, if any). */
  detach(): void;
  /**
   * Drop our handle without detaching. For tcx this detaches anyway unless the link is pinned:
   * a link lives only as long as its fds and pins.
   */
  close(): void;
}

export interface AttachOptions {
  ifindex: number;
  direction: Direction;
}
