// A cluster's flow logs, newest last, filtered by time, outcome, namespace, endpoint, deciding policy,
// port, protocol and the pending verdict of staged policies ("what would enforcing my staged policy break?": pendingVerdict=deny). The list and
// the live stream (flow-stream.ts) share these filters and one cursor: the last flow id seen.
import { eq, gte, like, type SQL, sql } from 'drizzle-orm';
import { flowLogs } from '../../db/schema/index.ts';
import type { FlowLogEntry } from '../../policy/flow-log.ts';
import { type PageRequest, toPage } from '../http/pagination.ts';
import { presentFlow } from '../schemas/flows.ts';
import { pageInClusterTransaction } from './cluster-scope.ts';
import { inTenant, type TenantContext } from './context.ts';

export interface FlowConditions {
  /** ISO date-time: only buckets ending at or after it. */
  since?: string | undefined;
  kind?: FlowLogEntry['kind'] | undefined;
  endpoint?: string | undefined;
  pendingVerdict?: 'allow' | 'deny' | undefined;
  /** Flows seen by pods of this namespace (a DNS label: no LIKE wildcards in it). */
  namespace?: string | undefined;
  /** The deciding rule's policy id, as flows name it (`NetworkPolicy/shop/allow-frontend`). */
  policy?: string | undefined;
  port?: number | undefined;
  /** IANA protocol number. */
  protocol?: number | undefined;
}

export interface FlowFilter extends PageRequest, FlowConditions {}

/** The filters as query conditions, for the list and the stream alike. */
export function flowConditions(filter: FlowConditions): (SQL | undefined)[] {
  return [
    filter.since ? gte(flowLogs.endTime, new Date(filter.since)) : undefined,
    filter.kind ? eq(flowLogs.kind, filter.kind) : undefined,
    filter.endpoint ? eq(flowLogs.endpoint, filter.endpoint) : undefined,
    filter.pendingVerdict ? eq(flowLogs.pendingVerdict, filter.pendingVerdict) : undefined,
    filter.namespace ? like(flowLogs.endpoint, `${filter.namespace}/%`) : undefined,
    filter.policy ? sql`${flowLogs.rule}->>'policyId' = ${filter.policy}` : undefined,
    filter.port !== undefined ? eq(flowLogs.port, filter.port) : undefined,
    filter.protocol !== undefined ? eq(flowLogs.protocol, filter.protocol) : undefined,
  ];
}

export async function listFlowLogs(ctx: TenantContext, input: { clusterId: string; filter: FlowFilter }) {
  const { filter } = input;
  const rows = await inTenant(ctx, (tx) => pageInClusterTransaction(tx, input.clusterId, flowLogs, filter, ...flowConditions(filter)));
  return toPage(rows, filter, presentFlow);
}
