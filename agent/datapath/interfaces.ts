// Programs on host interfaces: attach (tcx, or tc where tcx is missing), swap atomically, take
// back pinned links after a restart, detach. Interface names and indexes resolve in the network
// namespace the dataplane enforces in: the process's own, or a named one (withNetns) when the
// agent runs outside the node's namespace (tests, and a lab agent that keeps the host's bpffs).
import { existsSync, readdirSync, rmdirSync } from 'node:fs';
import { isBpfError } from '../../bpf/errors.ts';
import { type AttachKind, type Attachment, attachProgram, detectAttachKind } from '../../bpf/kernel/attach/index.ts';
import { TC_HANDLE, TC_PRIORITY, TcAttachment } from '../../bpf/kernel/attach/tc.ts';
import { openPinnedTcx } from '../../bpf/kernel/attach/tcx.ts';
import { Errno } from '../../bpf/kernel/errno.ts';
import { ifindexOf, withNetns } from '../../bpf/kernel/netns.ts';
import { unpin } from '../../bpf/kernel/pin.ts';
import type { BpfProgram } from '../../bpf/kernel/program.ts';
import { attachDirectionOf, type Hook } from './codegen/hooks.ts';
import { decodePinComponent, type PinLayout } from './pins.ts';

export const HOOKS: readonly Hook[] = ['from-pod', 'to-pod'];

export interface HookAttachment {
  attachment: Attachment;
  /** What runs there now (dataplane program key); undefined for a link adopted from a previous process. */
  programKey: string | undefined;
}

export interface InterfaceState {
  ifname: string;
  ifindex: number;
  endpoint?: string;
  hooks: Partial<Record<Hook, HookAttachment>>;
}

export class InterfaceAttacher {
  readonly kind: AttachKind;

  constructor(
    private readonly pins: PinLayout,
    private readonly netns: string | undefined,
    kind?: AttachKind,
  ) {
    this.kind = kind ?? this.inNetns(() => detectAttachKind());
  }

  /** Run synchronous kernel calls in the enforcing namespace. */
  inNetns<T>(fn: () => T): T {
    return this.netns === undefined ? fn() : withNetns(this.netns, fn);
  }

  ifindexOf(ifname: string): number | undefined {
    try {
      return this.inNetns(() => ifindexOf(ifname));
    } catch (error) {
      if (isBpfError(error, 'INVALID_ARGUMENT')) return undefined;
      throw error;
    }
  }

  /** Attach and pin; a link that cannot be pinned is detached again (it would vanish with our fd). */
  attach(program: BpfProgram, ifname: string, ifindex: number, hook: Hook): Attachment {
    const direction = attachDirectionOf(hook);
    let attachment: Attachment;
    try {
      attachment = this.inNetns(() => attachProgram(program, { ifindex, direction, kind: this.kind }));
    } catch (error) {
      // tc: a filter of a previous agent process sits at our handle; take it over in place
      if (this.kind !== 'tc' || !isBpfError(error) || error.errno !== Errno.EEXIST) throw error;
      const tc = new TcAttachment(ifindex, direction, TC_HANDLE, TC_PRIORITY);
      this.inNetns(() => tc.replace(program));
      attachment = tc;
    }
    try {
      attachment.pin(this.pins.link(ifname, hook));
    } catch (error) {
      this.detachQuietly(attachment);
      throw error;
    }
    return attachment;
  }

  replace(attachment: Attachment, program: BpfProgram): void {
    this.inNetns(() => attachment.replace(program));
  }

  detach(attachment: Attachment): void {
    this.inNetns(() => attachment.detach());
  }

  /** Detach ignoring failures (an interface that is gone took its programs with it). */
  detachQuietly(attachment: Attachment, ifname?: string, hook?: Hook): void {
    try {
      this.detach(attachment);
    } catch {
      attachment.close();
    }
    if (ifname !== undefined && hook !== undefined) unpin(this.pins.link(ifname, hook));
  }

  removePinDir(ifname: string): void {
    try {
      rmdirSync(this.pins.linkDir(ifname));
    } catch {
      // not empty or already gone
    }
  }

  /**
   * The links a previous agent process pinned, still attached to the interface of their name.
   * Links whose interface is gone, or whose name now belongs to another interface, are detached
   * and unpinned (they enforce nothing any more).
   */
  adoptPinned(): { interfaces: InterfaceState[]; dropped: string[] } {
    const interfaces: InterfaceState[] = [];
    const dropped: string[] = [];
    if (!existsSync(this.pins.links)) return { interfaces, dropped };
    for (const ifname of readdirSync(this.pins.links).map(decodePinComponent)) {
      const state: InterfaceState = { ifname, ifindex: 0, hooks: {} };
      const current = this.ifindexOf(ifname);
      for (const hook of HOOKS) {
        const path = this.pins.link(ifname, hook);
        if (!existsSync(path)) continue;
        let attachment: Attachment;
        try {
          attachment = openPinnedTcx(path);
        } catch {
          unpin(path);
          dropped.push(`${ifname}/${hook}`);
          continue;
        }
        if (attachment.ifindex === 0 || attachment.ifindex !== current) {
          this.detachQuietly(attachment, ifname, hook);
          dropped.push(`${ifname}/${hook}`);
          continue;
        }
        state.ifindex = attachment.ifindex;
        state.hooks[hook] = { attachment, programKey: undefined };
      }
      if (Object.keys(state.hooks).length > 0) interfaces.push(state);
      else this.removePinDir(ifname);
    }
    return { interfaces, dropped };
  }
}
