// Where a new flow's cost goes with our programs (issue 13: "if conntrack insertion, not
// classification, is what costs, say so with numbers"). Around one workload run it reads:
// - the kernel's run-time statistics of every BPF program this process holds (run_time_ns and
//   run_cnt in /proc/self/fdinfo, counted while kernel.bpf_stats_enabled is 1): the programs' mean
//   ns per run on the real traffic (classification + conntrack lookup and insertion + the allowed
//   flow's aggregate);
// - this process's own CPU time: the dataplane's userspace (draining the flow ring buffer, one
//   event per denied flow, and the allowed flows' aggregates, one record per flow-log key) runs
//   here, on the same two cores as the traffic.
// The per-packet figure (per-packet.ts) is the classification alone (an untracked packet), so the
// difference between the two is what tracking and reporting a flow costs.
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';

const STATS_SYSCTL = '/proc/sys/kernel/bpf_stats_enabled';

interface ProgramTotals {
  runTimeNs: number;
  runs: number;
}

function programTotals(): ProgramTotals {
  const totals = { runTimeNs: 0, runs: 0 };
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    if (target !== 'anon_inode:bpf-prog') continue;
    let info: string;
    try {
      info = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
    } catch {
      continue;
    }
    totals.runTimeNs += Number(/run_time_ns:\s*(\d+)/.exec(info)?.[1] ?? 0);
    totals.runs += Number(/run_cnt:\s*(\d+)/.exec(info)?.[1] ?? 0);
  }
  return totals;
}

export interface FlowCost {
  /** Mean ns per program run over the workload (0 when no program ran). */
  programNsPerRun: number;
  /**
   * Share of one CPU this process (the dataplane's userspace) used, percent. The wall clock includes
   * the workload's process start and counter reads, so this is a lower bound.
   */
  userspaceCpuPercent: number;
}

/** Runs `workload` with BPF run-time statistics on (restored afterwards) and reports what it cost. */
export async function withFlowCost<T>(workload: () => Promise<T>): Promise<{ result: T; cost: FlowCost }> {
  const previous = readFileSync(STATS_SYSCTL, 'utf8').trim();
  writeFileSync(STATS_SYSCTL, '1');
  try {
    const programs0 = programTotals();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const result = await workload();
    const wallUs = (performance.now() - t0) * 1000;
    const cpu = process.cpuUsage(cpu0);
    const programs1 = programTotals();
    const runs = programs1.runs - programs0.runs;
    const runTimeNs = programs1.runTimeNs - programs0.runTimeNs;
    return {
      result,
      cost: {
        programNsPerRun: runs > 0 ? runTimeNs / runs : 0,
        userspaceCpuPercent: ((cpu.user + cpu.system) / wallUs) * 100,
      },
    };
  } finally {
    writeFileSync(STATS_SYSCTL, previous);
  }
}
