// Removes leftovers of lab runs whose owner died without cleaning up (SIGKILL, crash, power cut of
// the test runner): their netns, the processes inside them, and their registry files. A run whose
// owner is alive is never touched, so concurrent labs can sweep freely.
import { join } from 'node:path';
import { reservationOwner } from './addresses.ts';
import { ip } from './exec.ts';
import { DEFAULT_PREFIX, runIdOfNetns, runIdPattern } from './names.ts';
import { listRegistry, ownerAlive, REGISTRY_DIR, readRun, runFile } from './registry.ts';
import { teardownRun } from './teardown.ts';

export async function listNetns(): Promise<string[]> {
  const r = await ip(['netns', 'list']);
  if (!r.ok) return [];
  // lines look like "name" or "name (id: 3)"
  return r.value.stdout
    .split('\n')
    .map((l) => l.trim().split(' ', 1)[0]!)
    .filter(Boolean);
}

/** Returns the run ids it removed. */
export async function sweepStale(prefix = DEFAULT_PREFIX): Promise<string[]> {
  const netnsByRun = new Map<string, string[]>();
  for (const n of await listNetns()) {
    const runId = runIdOfNetns(n, prefix);
    if (runId) netnsByRun.set(runId, [...(netnsByRun.get(runId) ?? []), n]);
  }
  const files = await listRegistry();
  const pattern = runIdPattern(prefix);
  const runIds = new Set(netnsByRun.keys());
  for (const f of files) if (f.endsWith('.json') && pattern.test(f.slice(0, -5))) runIds.add(f.slice(0, -5));

  const swept: string[] = [];
  for (const runId of runIds) {
    const rec = await readRun(runId);
    // A netns without a record cannot come from a live run: the record is written before any netns.
    if (rec && ownerAlive(rec)) continue;
    const reservations: string[] = [];
    for (const f of files) {
      if (f.startsWith('net4-') && (await reservationOwner(join(REGISTRY_DIR, f))) === runId) reservations.push(join(REGISTRY_DIR, f));
    }
    await teardownRun({
      netns: [...new Set([...(netnsByRun.get(runId) ?? []), ...(rec?.netns ?? [])])],
      files: [runFile(runId), ...reservations],
    });
    swept.push(runId);
  }
  return swept;
}
