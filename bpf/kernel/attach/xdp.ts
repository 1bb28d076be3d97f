// XDP attachment through netlink (bpf_xdp_attach, libbpf 0.8+): the program stays on the interface
// after the process exits, as tc programs do, so an agent restart leaves the host protected; a
// second attach in the same mode replaces the program atomically. Native mode runs in the driver
// before an skb exists (veth has it since 4.19, for frames its peer transmits); generic mode runs
// on the skb and works on any interface. The kernel refuses both modes on one interface at once,
// so a replace must use the mode the program was attached in.
import { XdpFlag } from '../constants.ts';
import { check } from '../errno.ts';
import { libbpf } from '../libbpf.ts';
import type { BpfProgram } from '../program.ts';

export type XdpMode = 'native' | 'generic';

const MODE_FLAG: Record<XdpMode, number> = { native: XdpFlag.DRV_MODE, generic: XdpFlag.SKB_MODE };

/** Attach (or replace, in the same mode) `program` on `ifindex`. */
export function attachXdp(program: BpfProgram, ifindex: number, mode: XdpMode): void {
  check(libbpf().bpf_xdp_attach(ifindex, program.fd, MODE_FLAG[mode], null), 'ATTACH_FAILED', `xdp (${mode}) attach on ifindex ${ifindex}`);
}

/** Native mode where the driver has it, generic otherwise; the mode it got. */
export function attachXdpPreferNative(program: BpfProgram, ifindex: number): XdpMode {
  if (libbpf().bpf_xdp_attach(ifindex, program.fd, MODE_FLAG.native, null) >= 0) return 'native';
  attachXdp(program, ifindex, 'generic');
  return 'generic';
}

export function detachXdp(ifindex: number, mode: XdpMode): void {
  check(libbpf().bpf_xdp_detach(ifindex, MODE_FLAG[mode], null), 'ATTACH_FAILED', `xdp (${mode}) detach on ifindex ${ifindex}`);
}

/** The id of the program attached in `mode` on `ifindex`, 0 when none. */
export function xdpProgramId(ifindex: number, mode: XdpMode): number {
  const id = Buffer.alloc(4);
  check(libbpf().bpf_xdp_query_id(ifindex, MODE_FLAG[mode], id), 'ATTACH_FAILED', `xdp query on ifindex ${ifindex}`);
  return id.readUInt32LE(0);
}
