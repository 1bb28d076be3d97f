// Network namespaces for attach calls. Interface indexes only mean something inside one
// namespace: bpf_link_create and the tc netlink calls resolve the ifindex in the namespace of the
// *calling thread*. To attach to an interface in another namespace we switch the main thread
// there with setns(2), make the synchronous calls, and switch back. The function must not await:
// anything else the event loop ran in between would run in the wrong namespace.
// (The agent attaches to the host side of pod veths, in its own namespace, and never needs this;
// tests and tools that build namespaces do.)

import { closeSync, openSync } from 'node:fs';
import { BpfError } from '../errors.ts';
import { errnoName } from './errno.ts';
import { lastErrno, libbpf } from './libbpf.ts';

const CLONE_NEWNET = 0x4000_0000;

/** Where `ip netns add NAME` keeps its namespace handle. */
export const netnsPath = (name: string): string => `/var/run/netns/${name}`;

function enter(fd: number, what: string): void {
  if (libbpf().setns(fd, CLONE_NEWNET) !== 0) {
    const errno = lastErrno();
    throw new BpfError('NETNS_FAILED', `setns into ${what}: ${errnoName(errno)}`, { errno });
  }
}

/** Run `fn` (synchronous) with the calling thread inside network namespace `name`. */
export function withNetns<T>(name: string, fn: () => T): T {
  if (fn.constructor.name === 'AsyncFunction') {
    throw new BpfError('INVALID_ARGUMENT', 'withNetns needs a synchronous function');
  }
  let target: number;
  let home: number;
  try {
    target = openSync(netnsPath(name), 'r');
  } catch (cause) {
    throw new BpfError('NETNS_FAILED', `no network namespace ${name}`, { cause });
  }
  try {
    home = openSync('/proc/thread-self/ns/net', 'r');
  } catch (cause) {
    closeSync(target);
    throw new BpfError('NETNS_FAILED', 'cannot open the current network namespace', { cause });
  }
  try {
    enter(target, name);
    try {
      return fn();
    } finally {
      enter(home, 'the original namespace');
    }
  } finally {
    closeSync(target);
    closeSync(home);
  }
}

/** Interface index of `ifname` in the calling thread's current namespace. */
export function ifindexOf(ifname: string): number {
  const index = libbpf().if_nametoindex(ifname);
  if (index === 0) {
    const errno = lastErrno();
    throw new BpfError('INVALID_ARGUMENT', `no interface ${ifname}: ${errnoName(errno)}`, { errno });
  }
  return index;
}
