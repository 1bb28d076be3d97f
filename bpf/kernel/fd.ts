// File descriptors of BPF objects (programs, maps, links). The kernel frees an object when its
// last reference goes: fds, pins in bpffs, attachments, and references from other objects (a
// program holds the maps it uses). Closing our fd is therefore always safe; it only drops ours.

import { check } from './errno.ts';
import { libbpf } from './libbpf.ts';

export function closeFd(fd: number): void {
  if (fd < 0) return;
  check(libbpf().close(fd), 'INVALID_ARGUMENT', `close(${fd})`);
}
