// tcx attachment through a BPF link (BPF_LINK_CREATE with BPF_TCX_INGRESS/EGRESS). libbpf 1.1
// predates tcx, but its generic bpf_link_create passes unknown attach types through with
// target_fd = ifindex, which is all tcx needs; 1.1 cannot pass tcx's ordering options
// (before/after/expected_revision), so our link goes at the end of the interface's chain.

import { BpfError } from '../../errors.ts';
import { AttachType } from '../constants.ts';
import { check } from '../errno.ts';
import { closeFd } from '../fd.ts';
import { libbpf } from '../libbpf.ts';
import { LinkInfo } from '../opts.ts';
import { openPinnedFd, pinFd, unpin } from '../pin.ts';
import type { BpfProgram } from '../program.ts';
import type { Attachment, AttachOptions, Direction } from './attachment.ts';

const ATTACH_TYPE: Record<Direction, number> = { ingress: AttachType.TCX_INGRESS, egress: AttachType.TCX_EGRESS };

function linkInfo(fd: number) {
  const info = Buffer.alloc(LinkInfo.size);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(info.length);
  check(libbpf().bpf_obj_get_info_by_fd(fd, info, len), 'ATTACH_FAILED', 'link info');
  return LinkInfo.decode(info);
}

export class TcxAttachment implements Attachment {
  readonly kind = 'tcx' as const;
  private pinPath: string | undefined;
  private open = true;

  constructor(
    readonly linkFd: number,
    readonly ifindex: number,
    readonly direction: Direction,
    pinPath?: string,
  ) {
    this.pinPath = pinPath;
  }

  replace(program: BpfProgram): void {
    check(libbpf().bpf_link_update(this.linkFd, program.fd, null), 'ATTACH_FAILED', `tcx replace on ifindex ${this.ifindex}`);
  }

  programId(): number {
    return linkInfo(this.linkFd).prog_id;
  }

  pin(path: string): void {
    pinFd(this.linkFd, path);
    this.pinPath = path;
  }

  detach(): void {
    if (!this.open) return;
    // LINK_DETACH cuts the link from the interface even while pins or other fds exist.
    check(libbpf().bpf_link_detach(this.linkFd), 'ATTACH_FAILED', `tcx detach on ifindex ${this.ifindex}`);
    if (this.pinPath) unpin(this.pinPath);
    this.close();
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    closeFd(this.linkFd);
  }
}

export function attachTcx(program: BpfProgram, options: AttachOptions): TcxAttachment {
  const fd = libbpf().bpf_link_create(program.fd, options.ifindex, ATTACH_TYPE[options.direction], null);
  check(fd, 'ATTACH_FAILED', `tcx ${options.direction} attach on ifindex ${options.ifindex}`);
  return new TcxAttachment(fd, options.ifindex, options.direction);
}

/** Take hold of a pinned tcx link again (after an agent restart). */
export function openPinnedTcx(path: string): TcxAttachment {
  const fd = openPinnedFd(path);
  const info = linkInfo(fd);
  const direction: Direction | undefined =
    info.tcx_attach_type === AttachType.TCX_INGRESS ? 'ingress' : info.tcx_attach_type === AttachType.TCX_EGRESS ? 'egress' : undefined;
  if (!direction) {
    closeFd(fd);
    throw new BpfError('ATTACH_FAILED', `${path} is not a tcx link`);
  }
  return new TcxAttachment(fd, info.tcx_ifindex, direction, path);
}
