// Last-resort cleanup when the owning process ends without calling destroy(): on 'exit' only
// synchronous work runs, so this kills helpers and deletes netns with spawnSync. Signals are
// re-raised after cleanup so the process still dies the way the sender intended.
import { unlinkSync } from 'node:fs';
import { ipBatchSync } from './exec.ts';

export interface LiveRun {
  runId: string;
  netns: string[];
  /** Helper processes (probe agents) running inside the run's netns. */
  pids: Set<number>;
  /** Registry and reservation files. */
  files: string[];
}

const live = new Map<string, LiveRun>();
let exitHook = false;
let signalHooks = false;

export function trackRun(run: LiveRun): void {
  live.set(run.runId, run);
  install();
}

export function untrackRun(runId: string): void {
  live.delete(runId);
}

export function cleanupRunSync(run: LiveRun): void {
  for (const pid of run.pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  ipBatchSync(run.netns.map((n) => `netns del ${n}`));
  for (const f of run.files) {
    try {
      unlinkSync(f);
    } catch {
      /* already gone */
    }
  }
}

function cleanupAllSync(): void {
  for (const run of live.values()) cleanupRunSync(run);
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  cleanupAllSync();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  signalHooks = false; // the next run re-installs them if the process lives on
  // Another handler may still want the signal; if none is left this kills us with default action.
  process.kill(process.pid, signal);
}

function install(): void {
  if (!exitHook) {
    exitHook = true;
    process.on('exit', cleanupAllSync);
  }
  if (!signalHooks) {
    signalHooks = true;
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
}
