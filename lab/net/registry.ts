// On-disk record of lab runs under /run/palisade-lab (tmpfs: gone after reboot, like the netns
// themselves). A run's file names its owner (pid + process start time, so a recycled pid does not
// keep a dead run "alive") and everything it created, which is what sweepStale() needs.
import { readFileSync } from 'node:fs';
import { link, mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const REGISTRY_DIR = '/run/palisade-lab';

export interface RunRecord {
  runId: string;
  pid: number;
  /** /proc/<pid>/stat field 22: distinguishes our process from a later one with the same pid. */
  pidStart: string;
  createdAt: string;
  nodeNetns: string;
  netns: string[];
  subnet4: string;
  subnet6?: string;
}

export const runFile = (runId: string): string => join(REGISTRY_DIR, `${runId}.json`);

export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may hold spaces and parentheses: fields are counted after the last ')'
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export function ownerAlive(rec: Pick<RunRecord, 'pid' | 'pidStart'>): boolean {
  return processStartTime(rec.pid) === rec.pidStart;
}

export async function ensureRegistryDir(): Promise<void> {
  await mkdir(REGISTRY_DIR, { recursive: true, mode: 0o755 });
}

// A sweeper reading a half-written record would take a live run for a dead one and delete it,
// so records only ever appear complete: written to a temporary name, then linked or renamed.
const tmpName = (runId: string) => join(REGISTRY_DIR, `.${runId}.${process.pid}.${Math.random().toString(16).slice(2)}.tmp`);

/** Creates the run's file; link(2) fails if the id is taken, which makes run ids race-free. */
export async function claimRun(rec: RunRecord): Promise<boolean> {
  const tmp = tmpName(rec.runId);
  await writeFile(tmp, `${JSON.stringify(rec, null, 2)}\n`);
  try {
    await link(tmp, runFile(rec.runId));
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

export async function writeRun(rec: RunRecord): Promise<void> {
  const tmp = tmpName(rec.runId);
  await writeFile(tmp, `${JSON.stringify(rec, null, 2)}\n`);
  await rename(tmp, runFile(rec.runId));
}

export async function readRun(runId: string): Promise<RunRecord | undefined> {
  try {
    return JSON.parse(await readFile(runFile(runId), 'utf8')) as RunRecord;
  } catch {
    return undefined;
  }
}

export async function listRegistry(): Promise<string[]> {
  try {
    return await readdir(REGISTRY_DIR);
  } catch {
    return [];
  }
}

export async function removeQuietly(path: string): Promise<void> {
  await unlink(path).catch(() => {});
}
