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

/** Linux reports process CPU time in clock ticks of 1/100 s (proc(5): utime, stime). */
const TICKS_PER_SECOND = 100;

/** User plus system CPU milliseconds `pid` has used so far (10 ms resolution). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields after the command name (which may hold spaces) in parentheses; utime and stime are fields 14 and 15
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}
