// Where the node's BPF objects are pinned, so they outlive the agent process:
//
//   <bpffs>/palisade/<node>/maps/<state|conntrack|conntrack6|fragments|flows|...>
//   <bpffs>/palisade/<node>/links/<host interface>/<from-pod|to-pod>     (tcx links)
//
// Programs and their own maps are not pinned: a link holds its program, a program its maps.
// <bpffs> is /sys/fs/bpf unless configured (PALISADE_BPFFS for the agent). It must be the host's
// bpffs: `ip netns exec` mounts a fresh sysfs over /sys in a private mount namespace, so /sys/fs/bpf
// there is not it, and pins in a bpffs mounted there die with the process's mount namespace (the
// dataplane warns when it has to mount one). The lab starts the agent with nsenter + unshare and
// binds the host bpffs back over /sys/fs/bpf (lab/run/agent-process.ts); a DaemonSet mounts it as
// a hostPath.
import { BPFFS_ROOT } from '../../bpf/kernel/pin.ts';
import type { Hook } from './codegen/hooks.ts';

export interface PinLayout {
  root: string;
  node: string;
  maps: string;
  links: string;
  link(ifname: string, hook: Hook): string;
  linkDir(ifname: string): string;
}

/**
 * One path component for a node or interface name: characters outside [A-Za-z0-9._-] as %HH, so
 * the name comes back with decodePinComponent (adopt reads interface names from the pin paths).
 */
export function pinComponent(name: string): string {
  const safe = [...Buffer.from(name, 'utf8')]
    .map((b) => (/[A-Za-z0-9._-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`))
    .join('');
  return safe === '' || safe === '.' || safe === '..' ? `%${safe}` : safe;
}

export function decodePinComponent(component: string): string {
  const text = component.startsWith('%') && /^%\.{0,2}$/.test(component) ? component.slice(1) : component;
  return Buffer.from(
    text.replace(/%([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
    'latin1',
  ).toString('utf8');
}

export function pinLayout(nodeName: string, bpffsRoot: string = BPFFS_ROOT): PinLayout {
  const node = `${bpffsRoot}/palisade/${pinComponent(nodeName)}`;
  return {
    root: bpffsRoot,
    node,
    maps: `${node}/maps`,
    links: `${node}/links`,
    link: (ifname, hook) => `${node}/links/${pinComponent(ifname)}/${hook}`,
    linkDir: (ifname) => `${node}/links/${pinComponent(ifname)}`,
  };
}
