// The impact preview's read of stored flows, bounded in time (issue 12): one SQL query grouping
// 100,000 rows has no time limit (about a second on a loaded Postgres, several on PGlite, mostly its
// sort and group), so the window is read newest first in time slices, each one grouped query over its
// slice, merged here, and the read stops when its budget is spent. The answer is exact for the window
// read, [since, the newest row], and names where that window starts.
import { and, eq, gte, lt, max, sql } from 'drizzle-orm';
import { rowsOf, type Tx } from '../../../db/index.ts';
import { flowLogs } from '../../../db/schema/index.ts';
import type { ObservedFlow } from '../../../policy/evaluation/impact.ts';

/** The first slice's span back from the newest row: at an agent's 2,000 rows a minute, small enough for any budget. */
const FIRST_SLICE_MS = 60_000;
/** A slice spans at most this many times the one before: the rows' density can change along the window. */
const MAX_GROWTH = 4;
/** Each slice aims at this share of the read's remaining budget, so the estimate's errors leave room. */
const SLICE_SHARE = 0.5;
/** Less left than this and another slice's query would cost more than it reads. */
const MIN_SLICE_BUDGET_MS = 25;

export interface FlowKey extends ObservedFlow {
  /** Flow log rows that recorded it. */
  rows: number;
}

export interface FlowRead {
  /** Distinct flows of the window read, busiest first. */
  flows: FlowKey[];
  /** Rows the window read holds. */
  rows: number;
  /** Where the window read starts: the asked start when the whole window was read. */
  since: Date;
}

export interface FlowReadRequest {
  clusterId: string;
  since: Date;
  /** `direction endpoint` pairs whose flows can flip. */
  touched: readonly string[];
  /** The read starts no further slice once the clock passes this (the first is always read). */
  deadline: number;
  clock: () => number;
}

interface SliceRow {
  endpoint: string;
  direction: 'ingress' | 'egress';
  remote: string;
  protocol: number;
  port: number;
  count: string | number;
  rows: string | number;
}

export async function readFlowKeys(tx: Tx, request: FlowReadRequest): Promise<FlowRead> {
  const { clusterId, since, clock, deadline } = request;
  const touched = JSON.stringify(request.touched);
  const byKey = new Map<string, FlowKey>();
  let rows = 0;
  let readMs = 0;
  // Rows of the cluster in what is left of the window, newest first: an index lookup that skips the
  // times with no rows, so no slice is spent on them.
  const newest = async (before: Date | undefined) => {
    const [found] = await tx
      .select({ at: max(flowLogs.endTime) })
      .from(flowLogs)
      .where(and(eq(flowLogs.clusterId, clusterId), gte(flowLogs.endTime, since), before && lt(flowLogs.endTime, before)));
    return found?.at ? new Date(found.at) : undefined;
  };
  let upper: Date | undefined;
  let at = await newest(undefined);
  let span = FIRST_SLICE_MS;
  while (at) {
    const lower = new Date(Math.max(since.getTime(), at.getTime() - span));
    const started = clock();
    // The first slice has no upper bound: rows stamped after the newest one looked up count too.
    const slice = rowsOf<SliceRow>(
      await tx.execute(sql`
        select endpoint, direction, remote, protocol, port, sum(count)::bigint as count, count(*)::bigint as rows
        from ${flowLogs}
        where cluster_id = ${clusterId} and end_time >= ${lower.toISOString()}::timestamptz
          ${upper ? sql`and end_time < ${upper.toISOString()}::timestamptz` : sql``} and kind <> 'logged'
          and direction || ' ' || endpoint in (select jsonb_array_elements_text(${touched}::jsonb))
        group by endpoint, direction, remote, protocol, port`),
    );
    const now = clock();
    readMs += now - started;
    let sliceRows = 0;
    for (const row of slice) {
      const key = `${row.endpoint}\n${row.direction}\n${row.remote}\n${row.protocol}\n${row.port}`;
      const count = Number(row.count);
      const recorded = Number(row.rows);
      sliceRows += recorded;
      const known = byKey.get(key);
      if (known) {
        known.count += count;
        known.rows += recorded;
      } else {
        byKey.set(key, { endpoint: row.endpoint, direction: row.direction, remote: row.remote, protocol: row.protocol, port: row.port, count, rows: recorded });
      }
    }
    rows += sliceRows;
    upper = lower;
    if (lower.getTime() <= since.getTime()) break;
    const remaining = deadline - now;
    if (remaining < MIN_SLICE_BUDGET_MS) break;
    span = nextSpan(span, sliceRows, readMs / Math.max(rows, 1), remaining);
    at = await newest(lower);
    // No row left before this slice: the rest of the window is read, empty.
    if (!at) upper = since;
  }
  return { flows: [...byKey.values()].sort(busiestFirst), rows, since: upper ?? since };
}

/**
 * The next slice's span: as many rows as SLICE_SHARE of the remaining budget reads at the cost per
 * row so far, at the last slice's density, and at most MAX_GROWTH times the last span.
 */
export function nextSpan(span: number, sliceRows: number, msPerRow: number, remainingMs: number): number {
  if (sliceRows === 0 || msPerRow <= 0) return span * MAX_GROWTH;
  const rowsAffordable = (remainingMs * SLICE_SHARE) / msPerRow;
  return Math.max(1, Math.min(span * MAX_GROWTH, Math.floor((rowsAffordable * span) / sliceRows)));
}

/** The busiest first; ties in key order, so the same flows give the same answer. */
function busiestFirst(a: FlowKey, b: FlowKey): number {
  return (
    b.count - a.count ||
    compare(a.endpoint, b.endpoint) ||
    compare(a.direction, b.direction) ||
    compare(a.remote, b.remote) ||
    a.protocol - b.protocol ||
    a.port - b.port
  );
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
