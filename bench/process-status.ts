// A process's memory as the kernel reports it in /proc/<pid>/status (proc(5)).
import { readFileSync } from 'node:fs';

/** VmRSS (resident now) or VmHWM (peak resident) of `pid`, in MiB. */
export function statusMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  const kib = Number(/(\d+)\s*kB/.exec(line ?? '')?.[1]);
  if (!Number.isFinite(kib)) throw new Error(`no ${field} for pid ${pid}`);
  return kib / 1024;
}
