// Suites that need something this machine may lack (root, the kernel's eBPF) run only when it is
// there; elsewhere they report one skipped test whose name says what is missing, never silently.
import { describe, it } from 'vitest';

export const NEEDS_ROOT = 'root (network namespaces, CAP_BPF, CAP_NET_ADMIN)';
export const NEEDS_KERNEL_BPF = 'root with CAP_BPF and CAP_NET_ADMIN, and libbpf.so.1';
export const NEEDS_IPERF3 = 'root and iperf3 (apt-get install iperf3)';

export function describeIf(met: boolean, missing: string) {
  return (name: string, body: () => void) => (met ? describe(name, body) : describe(name, () => it.skip(`skipped: needs ${missing}`, () => {})));
}
