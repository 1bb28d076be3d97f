// Where a run keeps what lab/net does not track: its temp dir (trust root, token, inventory, agent
// state and log) and the agent's bpffs pins. Both are named after the run id, so leftovers of a run
// whose owner died can be told from a live run's (its registry record names a live owner) and swept.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PREFIX, runIdPattern } from '../net/names.ts';
import { ownerAlive, readRun } from '../net/registry.ts';
import { CONTROL_PLANE_DIR_PREFIX } from './control-plane.ts';

const RUN_DIR_PREFIX = 'palisade-lab-';
const NODE_PREFIX = 'lab-';

/**
 * Where the dataplane pins a node's programs, maps and links (agent/datapath). The agent runs with
 * the run's own node name, so a run's pins never mix with another's.
 */
export const PIN_ROOT = '/sys/fs/bpf/palisade';

export const nodeNameOf = (runId: string): string => `${NODE_PREFIX}${runId}`;
export const runDirOf = (runId: string): string => join(tmpdir(), `${RUN_DIR_PREFIX}${runId}`);
export const pinDirOf = (nodeName: string): string => join(PIN_ROOT, nodeName);

/**
 * Removes the node's pins: PIN_ROOT/<node>, and any directory named after the node one or two
 * levels further down (should the dataplane group nodes, e.g. by cluster). Unpinning releases the
 * links, programs and maps once no fd holds them, so run it after the agent has stopped.
 */
export function removePinsSync(nodeName: string): void {
  rmSync(pinDirOf(nodeName), { recursive: true, force: true });
  for (const a of entries(PIN_ROOT)) {
    for (const b of entries(join(PIN_ROOT, a))) {
      if (b === nodeName) rmSync(join(PIN_ROOT, a, b), { recursive: true, force: true });
    }
  }
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
}

async function runIsLive(runId: string): Promise<boolean> {
  const rec = await readRun(runId);
  return rec !== undefined && ownerAlive(rec);
}

/** Removes run dirs, pins and control-plane dirs whose owner is gone. Returns what it removed. */
export async function sweepStaleRunFiles(prefix = DEFAULT_PREFIX): Promise<string[]> {
  const pattern = runIdPattern(prefix);
  const removed: string[] = [];
  const candidates: { runId: string; path: string }[] = [
    ...entries(tmpdir())
      .filter((n) => n.startsWith(RUN_DIR_PREFIX))
      .map((n) => ({ runId: n.slice(RUN_DIR_PREFIX.length), path: join(tmpdir(), n) })),
    ...[PIN_ROOT, ...entries(PIN_ROOT).map((n) => join(PIN_ROOT, n))].flatMap((dir) =>
      entries(dir)
        .filter((n) => n.startsWith(NODE_PREFIX))
        .map((n) => ({ runId: n.slice(NODE_PREFIX.length), path: join(dir, n) })),
    ),
  ];
  for (const { runId, path } of candidates) {
    if (!pattern.test(runId) || (await runIsLive(runId))) continue;
    rmSync(path, { recursive: true, force: true });
    removed.push(path);
  }
  for (const n of entries(tmpdir()).filter((e) => e.startsWith(CONTROL_PLANE_DIR_PREFIX))) {
    const path = join(tmpdir(), n);
    let owner: { pid: number; pidStart: string } | undefined;
    try {
      owner = JSON.parse(readFileSync(join(path, 'owner.json'), 'utf8')) as { pid: number; pidStart: string };
    } catch {
      continue; // being created right now, or not ours: leave it
    }
    if (ownerAlive(owner)) continue;
    rmSync(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}
