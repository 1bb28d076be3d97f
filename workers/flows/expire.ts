// Flow logs are kept per plan (policy/plan/limits.ts flowRetentionHours): a worker pass deletes the
// expired rows in bounded batches, pausing between them so a large backlog never holds a long
// transaction or starves the agents' inserts. It runs as the application role through
// palisade_expire_flow_logs, the one function that decides what is expired (migration
// flow-retention-and-caps): the role itself cannot delete a flow log.
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { type Db, rowsOf, withoutTenant } from '../../db/index.ts';

export interface ExpiryOptions {
  /** Rows one call deletes, one short transaction each (the function caps it at 10,000). */
  batchSize: number;
  /** Pause between full batches. */
  pauseMs: number;
  /** Batches one pass runs at most; the next pass goes on where it stopped. */
  maxBatches: number;
  /** Stops the pass between batches (shutdown). */
  signal?: AbortSignal;
}

/** What one pass did: returned so the caller can log (and, later, count) it. */
export interface ExpiryPass {
  deleted: number;
  batches: number;
}

export async function expireFlowLogs(db: Db, options: ExpiryOptions): Promise<ExpiryPass> {
  let deleted = 0;
  let batches = 0;
  while (batches < options.maxBatches && !options.signal?.aborted) {
    const [row] = await withoutTenant(db, async (tx) =>
      rowsOf<{ deleted: string | number }>(await tx.execute(sql`select palisade_expire_flow_logs(${options.batchSize}::integer) as deleted`)),
    );
    const removed = Number(row?.deleted ?? 0);
    deleted += removed;
    batches += 1;
    // A short batch means nothing expired is left.
    if (removed < options.batchSize) break;
    await sleep(options.pauseMs, undefined, { signal: options.signal }).catch(() => undefined);
  }
  return { deleted, batches };
}
