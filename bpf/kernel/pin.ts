// Pinning: a BPF object pinned in bpffs lives until the file is removed, even after the process
// that made it exits. The agent pins its links and maps so that a restart (or crash) keeps
// enforcing policy, and finds them again by path.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statfsSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { BpfError } from '../errors.ts';
import { check, errnoName } from './errno.ts';
import { libbpf } from './libbpf.ts';

export const BPFFS_ROOT = '/sys/fs/bpf';

/** f_type of a bpffs mount (BPF_FS_MAGIC in include/uapi/linux/magic.h). */
const BPF_FS_MAGIC = 0xcafe4a11;

function isBpffs(path: string): boolean {
  try {
    return Number(statfsSync(path).type) === BPF_FS_MAGIC;
  } catch {
    return false;
  }
}

/**
 * Make sure bpffs is mounted at `root` (systemd mounts it on most hosts; containers and minimal
 * VMs often lack it). Needs CAP_SYS_ADMIN to mount.
 */
export function ensureBpffs(root: string = BPFFS_ROOT): void {
  if (isBpffs(root)) return;
  try {
    mkdirSync(root, { recursive: true });
    execFileSync('mount', ['-t', 'bpf', 'bpf', root], { stdio: 'pipe' });
  } catch (cause) {
    throw new BpfError('PIN_FAILED', `could not mount bpffs at ${root}`, { cause });
  }
  if (!isBpffs(root)) throw new BpfError('PIN_FAILED', `${root} is not a bpffs mount`);
}

/** The nearest existing ancestor of `path` (or `path` itself). */
function nearestExisting(path: string): string {
  let dir = path;
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** Pin an object fd at `path`; missing parent directories are created, inside bpffs only. */
export function pinFd(fd: number, path: string): void {
  const dir = dirname(path);
  if (!isBpffs(nearestExisting(dir))) {
    throw new BpfError('PIN_FAILED', `${dir} is not inside a bpffs mount (call ensureBpffs first)`);
  }
  try {
    mkdirSync(dir, { recursive: true }); // directories made inside bpffs are bpffs directories
  } catch (cause) {
    throw new BpfError('PIN_FAILED', `cannot create pin directory ${dir}`, { cause });
  }
  check(libbpf().bpf_obj_pin(fd, path), 'PIN_FAILED', `pin at ${path}`);
}

/** A new fd for a pinned object. */
export function openPinnedFd(path: string): number {
  return check(libbpf().bpf_obj_get(path), 'PIN_FAILED', `open pinned ${path}`);
}

/** Remove a pin; returns false when there was none. The object lives on while other references exist. */
export function unpin(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return false;
    throw new BpfError('PIN_FAILED', `unpin ${path}: ${code ?? errnoName(0)}`, { cause: error });
  }
}
