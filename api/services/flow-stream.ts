// The live tail of a cluster's flows (GET /v1/clusters/{id}/flows/stream): every flow after a cursor,
// in id order, then each new one as the flow feed announces it, with a heartbeat while nothing comes.
// The cursor is the flow id (UUIDv7), the same one the list pages by, so a console can list, then
// tail from the last id, and a dropped stream resumes from its Last-Event-ID.
import { sql } from 'drizzle-orm';
import { sqlLiteral } from '../../db/index.ts';
import { flowLogs } from '../../db/schema/index.ts';
import { notFound } from '../errors/api-error.ts';
import { requireId } from '../http/ids.ts';
import { type FlowRecord, presentFlow } from '../schemas/flows.ts';
import { readClusterPage } from './cluster-scope.ts';
import { readAsTenant, type TenantContext } from './context.ts';
import type { FlowFeed } from './flow-feed.ts';
import { type FlowConditions, flowConditions } from './flows.ts';

/** Proxies cut idle connections (often at 30 or 60 s); a comment every 15 s keeps the stream open. */
export const HEARTBEAT_MS = 15_000;
/** Flows read per query: a backlog after a resume goes out in pages, not one unbounded read. */
const PAGE = 500;

export interface FlowSink {
  flow(flow: FlowRecord): Promise<void>;
  heartbeat(): Promise<void>;
}

export interface FlowTail {
  /** Sends flows until the client leaves (`signal`) or the feed closes. */
  run(sink: FlowSink, signal: AbortSignal): Promise<void>;
  /** Unsubscribes without running (the response was never streamed). */
  cancel(): void;
}

/**
 * Checks the cluster (404 before any stream opens), fixes the starting cursor and subscribes, all
 * before the response starts, so a flow shipped once the client has the headers is always sent.
 * Without a cursor, the tail starts after the newest flow, or from `since` when one is given.
 */
export async function openFlowTail(
  ctx: TenantContext,
  input: { clusterId: string; filter: FlowConditions; cursor?: string | undefined; feed: FlowFeed },
): Promise<FlowTail> {
  const { filter, feed } = input;
  // One tenant read (db/tenant-read.ts) finds the cluster and, when the tail starts after the newest
  // flow, that flow's id.
  const afterNewest = input.cursor === undefined && filter.since === undefined;
  const newest = afterNewest ? sql`(select id from flow_logs where cluster_id = clusters.id order by id desc limit 1)` : sql`null`;
  const [cluster] = await readAsTenant(
    ctx,
    sql`select id, ${newest} as newest from clusters where id = ${sqlLiteral(requireId(input.clusterId, 'cluster'))} and deleted_at is null`,
  );
  if (!cluster) throw notFound('cluster');
  const clusterId = cluster.id as string;
  let cursor = afterNewest ? ((cluster.newest as string | null) ?? undefined) : input.cursor;

  let pending = true;
  let ended = false;
  let wakeUp: (() => void) | undefined;
  const unsubscribe = feed.subscribe(clusterId, {
    wake() {
      pending = true;
      wakeUp?.();
    },
    end() {
      ended = true;
      wakeUp?.();
    },
  });

  /** Resolves true on a wake-up (or end), false when the heartbeat is due. */
  function nextWake(signal: AbortSignal): Promise<boolean> {
    if (pending || ended || signal.aborted) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (woken: boolean) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        wakeUp = undefined;
        resolve(woken);
      };
      const onAbort = () => done(true);
      const timer = setTimeout(() => done(false), HEARTBEAT_MS);
      signal.addEventListener('abort', onAbort);
      wakeUp = () => done(true);
    });
  }

  return {
    cancel: unsubscribe,
    async run(sink, signal) {
      try {
        while (!ended && !signal.aborted) {
          if (!(await nextWake(signal))) {
            await sink.heartbeat();
            // A notification lost while the listener reconnected is picked up here, a heartbeat late.
            pending = true;
            continue;
          }
          if (ended || signal.aborted) break;
          pending = false;
          let rows: (typeof flowLogs.$inferSelect)[];
          do {
            const after = cursor;
            rows = await readClusterPage(ctx, clusterId, flowLogs, { limit: PAGE - 1, cursor: after }, ...flowConditions(filter));
            for (const row of rows) {
              if (signal.aborted || ended) return;
              await sink.flow(presentFlow(row));
              cursor = row.id;
            }
          } while (rows.length === PAGE && !signal.aborted && !ended);
        }
      } finally {
        unsubscribe();
      }
    },
  };
}
