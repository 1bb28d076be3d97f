// Removes what a run made, in the order the kernel needs: processes first (a process inside a
// netns keeps it alive after `ip netns del` unmounts its name), then the netns, whose deletion
// also deletes every veth in it and so their peers, then the registry files.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ipBatch } from './exec.ts';
import { removeQuietly } from './registry.ts';

export interface RunResources {
  netns: readonly string[];
  /** Pids known to belong to the run; processes found inside its netns are killed too. */
  pids?: Iterable<number>;
  files?: readonly string[];
}

/**
 * Whether a process still runs. A zombie does not count: it holds no sockets or namespaces any
 * more, and reaping it is up to its parent (init, for agents orphaned by a killed owner).
 */
export function processRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Every pid inside the given netns (one `ip` process for all of them). */
export async function pidsInNetns(netns: readonly string[]): Promise<number[]> {
  const r = await ipBatch(
    netns.map((n) => `netns pids ${n}`),
    { force: true },
  );
  // with -force a missing netns is an error line but the others still report; parse stdout either way
  const stdout = r.ok ? r.value.stdout : String((r.error.details as { stdout?: string } | undefined)?.stdout ?? '');
  return stdout
    .split(/\s+/)
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
}

export async function teardownRun(res: RunResources): Promise<void> {
  const pids = new Set([...(res.pids ?? []), ...(await pidsInNetns(res.netns))]);
  pids.delete(process.pid);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  // SIGKILL is asynchronous; wait (briefly) so callers can rely on "no process left" afterwards.
  for (let i = 0; i < 100 && [...pids].some(processRunning); i++) await sleep(10);
  await ipBatch(
    res.netns.map((n) => `netns del ${n}`),
    { force: true },
  );
  await Promise.all((res.files ?? []).map(removeQuietly));
}
