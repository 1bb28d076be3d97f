// A cluster's flow logs, newest last, filtered by time, outcome, namespace, endpoint, deciding policy,
// port, protocol and the pending verdict of staged policies ("what would enforcing my staged policy break?": pendingVerdict=deny). The list and
// the live stream (flow-stream.ts) share these filters and one cursor: the last flow id seen.
import { eq, gte, like, type SQL, sql } from 'drizzle-orm';
import { sqlLiteral } from '../../db/index.ts';
import { flowLogs } from '../../db/schema/index.ts';
import type { FlowLogEntry } from '../../policy/flow-log.ts';
import { type PageRequest, toPage } from '../http/pagination.ts';
import { presentFlow } from '../schemas/flows.ts';
import { readClusterPage } from './cluster-scope.ts';
import type { TenantContext } from './context.ts';

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

/** LIKE's wildcards and its escape (a backslash, by default) taken as themselves. */
const likeLiterally = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);

/**
 * The filters as query conditions, for the list and the stream alike. Every value is a literal
 * (sqlLiteral), for a tenant read: an escape string constant of unknown type, so the server reads it as
 * the column's type (timestamptz for the time, integer for port and protocol, text for the rest and
 * for the JSON path's ->> text). The namespace is a DNS label and holds no LIKE wildcard, but it is
 * escaped for LIKE all the same, so the pattern means "starts with `<namespace>/`" whatever it holds.
 */
export function flowConditions(filter: FlowConditions): (SQL | undefined)[] {
  return [
    filter.since ? gte(flowLogs.endTime, sqlLiteral(new Date(filter.since))) : undefined,
    filter.kind ? eq(flowLogs.kind, sqlLiteral(filter.kind)) : undefined,
    filter.endpoint ? eq(flowLogs.endpoint, sqlLiteral(filter.endpoint)) : undefined,
    filter.pendingVerdict ? eq(flowLogs.pendingVerdict, sqlLiteral(filter.pendingVerdict)) : undefined,
    filter.namespace ? like(flowLogs.endpoint, sqlLiteral(`${likeLiterally(filter.namespace)}/%`)) : undefined,
    filter.policy ? sql`${flowLogs.rule}->>'policyId' = ${sqlLiteral(filter.policy)}` : undefined,
    filter.port !== undefined ? eq(flowLogs.port, sqlLiteral(filter.port)) : undefined,
    filter.protocol !== undefined ? eq(flowLogs.protocol, sqlLiteral(filter.protocol)) : undefined,
  ];
}

export async function listFlowLogs(ctx: TenantContext, input: { clusterId: string; filter: FlowFilter }) {
  const { filter } = input;
  const rows = await readClusterPage(ctx, input.clusterId, flowLogs, filter, ...flowConditions(filter));
  return toPage(rows, filter, presentFlow);
}
