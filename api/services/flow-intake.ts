// Storing an agent's flow logs within its plan's cap (flowRowsPerAgentMinute), so one noisy node
// cannot fill the database. Each node has an intake row (db/schema/flow-intake.ts) counting the rows
// it added this minute; it is locked for the batch, so one agent's concurrent batches count one after
// another. Entries within the cap are stored as they came. Past it, each entry is folded into the row
// of the same flow (endpoint, direction, remote, protocol, port, verdict, rule, pending verdict and
// rule: the 5-tuple without the source port, which entries never carry) this node stored in the last
// minute, adding its count and bytes; an entry with no such row is dropped. Folded and dropped
// entries are counted on the intake row, which the agents list shows.
import { sql } from 'drizzle-orm';
import { FLOW_CHANNEL, newId, rowsOf, type Tx } from '../../db/index.ts';
import { flowIntake, flowLogs, tenants } from '../../db/schema/index.ts';
import type { FlowLogBatch, FlowLogEntry } from '../../policy/flow-log.ts';
import { tenantLimits } from '../../policy/plan/limits.ts';
import { INT4_MAX } from '../../policy/validation/storable-schema.ts';
import { type AgentContext, asAgent } from './context.ts';

/** What became of a batch: returned so the route can log it (and, later, count it). */
export interface FlowIntakeOutcome {
  stored: number;
  folded: number;
  dropped: number;
}

const MINUTE_MS = 60_000;

export async function storeFlowLogs(ctx: AgentContext, input: { batch: FlowLogBatch; now: Date }): Promise<FlowIntakeOutcome> {
  const { batch } = input;
  if (batch.entries.length === 0) return { stored: 0, folded: 0, dropped: 0 };
  const { agent } = ctx;
  const windowStart = new Date(Math.floor(input.now.getTime() / MINUTE_MS) * MINUTE_MS);
  return asAgent(ctx, async (tx) => {
    const [tenant] = await tx.select({ plan: tenants.plan, limits: tenants.limits }).from(tenants);
    const cap = tenantLimits(tenant?.plan ?? 'free', tenant?.limits ?? {}).flowRowsPerAgentMinute;
    const windowRows = await lockIntake(tx, agent, batch.nodeName, windowStart);
    const allowance = Math.max(0, cap - windowRows);
    const kept = batch.entries.slice(0, allowance);
    const over = batch.entries.slice(allowance);
    if (kept.length > 0) {
      await tx.insert(flowLogs).values(
        kept.map((entry) => ({
          ...entry,
          id: newId(),
          tenantId: agent.tenantId,
          clusterId: agent.clusterId,
          nodeName: batch.nodeName,
          startTime: new Date(entry.startTime),
          endTime: new Date(entry.endTime),
          rule: entry.rule,
          pendingVerdict: entry.pendingVerdict ?? null,
          pendingRule: entry.pendingRule ?? null,
        })),
      );
      // Delivered at commit to every API process's flow feed (flow-feed.ts): live streams read on.
      await tx.execute(sql`select pg_notify(${FLOW_CHANNEL}, ${agent.clusterId})`);
    }
    const folded = over.length > 0 ? await foldIntoStored(tx, agent.clusterId, batch.nodeName, over) : 0;
    const dropped = over.length - folded;
    await tx
      .update(flowIntake)
      .set({
        windowRows: sql`${flowIntake.windowRows} + ${kept.length}`,
        folded: sql`${flowIntake.folded} + ${folded}`,
        dropped: sql`${flowIntake.dropped} + ${dropped}`,
        updatedAt: input.now,
      })
      .where(sql`${flowIntake.clusterId} = ${agent.clusterId} and ${flowIntake.nodeName} = ${batch.nodeName}`);
    return { stored: kept.length, folded, dropped };
  });
}

/**
 * Creates or locks the node's intake row, starting a new window when the minute changed, and returns
 * the rows the node added in the current window.
 */
async function lockIntake(tx: Tx, agent: AgentContext['agent'], nodeName: string, windowStart: Date): Promise<number> {
  const [intake] = await tx
    .insert(flowIntake)
    .values({ id: newId(), tenantId: agent.tenantId, clusterId: agent.clusterId, nodeName, windowStart, windowRows: 0, updatedAt: windowStart })
    .onConflictDoUpdate({
      target: [flowIntake.tenantId, flowIntake.clusterId, flowIntake.nodeName],
      // Both expressions read the row as it was: a later minute starts from zero, the same (or a
      // clock that stepped back) keeps counting.
      set: {
        windowStart: sql`greatest(${flowIntake.windowStart}, excluded.window_start)`,
        windowRows: sql`case when excluded.window_start > ${flowIntake.windowStart} then 0 else ${flowIntake.windowRows} end`,
      },
    })
    .returning({ windowRows: flowIntake.windowRows });
  return intake!.windowRows;
}

/**
 * Folds entries into the node's stored rows of the same flow that end at most a minute before the
 * entry starts (the latest such row), in one statement; returns how many entries found a row. Entries
 * of the same flow in the batch fold together first.
 */
async function foldIntoStored(tx: Tx, clusterId: string, nodeName: string, entries: readonly FlowLogEntry[]): Promise<number> {
  const incoming = entries.map((entry) => ({
    endpoint: entry.endpoint,
    direction: entry.direction,
    remote: entry.remote,
    protocol: entry.protocol,
    port: entry.port,
    kind: entry.kind,
    rule: entry.rule,
    pending_verdict: entry.pendingVerdict ?? null,
    pending_rule: entry.pendingRule ?? null,
    count: entry.count,
    bytes: entry.bytes,
    start_time: entry.startTime,
    end_time: entry.endTime,
  }));
  const result = await tx.execute(sql`
    with incoming as (
      select * from jsonb_to_recordset(${JSON.stringify(incoming)}::jsonb) as i(
        endpoint text, direction text, remote text, protocol integer, port integer, kind text, rule jsonb,
        pending_verdict text, pending_rule jsonb, count bigint, bytes bigint, start_time timestamptz, end_time timestamptz)
    ), flows as (
      select endpoint, direction, remote, protocol, port, kind, nullif(rule, 'null'::jsonb) as rule, pending_verdict,
        nullif(pending_rule, 'null'::jsonb) as pending_rule, sum(count) as count, sum(bytes) as bytes,
        min(start_time) as start_time, max(end_time) as end_time, count(*) as entries
      from incoming group by 1, 2, 3, 4, 5, 6, 7, 8, 9
    ), targets as (
      select distinct on (f.endpoint, f.direction, f.remote, f.protocol, f.port, f.kind, f.rule, f.pending_verdict, f.pending_rule)
        s.id, f.count, f.bytes, f.end_time, f.entries
      from flows f
      join ${flowLogs} s on s.cluster_id = ${clusterId} and s.node_name = ${nodeName}
        and s.end_time >= f.start_time - interval '1 minute'
        and s.endpoint = f.endpoint and s.direction = f.direction and s.remote = f.remote and s.protocol = f.protocol
        and s.port = f.port and s.kind = f.kind and s.rule is not distinct from f.rule
        and s.pending_verdict is not distinct from f.pending_verdict and s.pending_rule is not distinct from f.pending_rule
      order by f.endpoint, f.direction, f.remote, f.protocol, f.port, f.kind, f.rule, f.pending_verdict, f.pending_rule, s.end_time desc
    ), folded as (
      update ${flowLogs} s set
        count = least(s.count + t.count, ${INT4_MAX}),
        bytes = least(s.bytes + t.bytes, ${Number.MAX_SAFE_INTEGER}),
        end_time = greatest(s.end_time, t.end_time)
      from targets t where s.id = t.id
      returning t.entries
    )
    select coalesce(sum(entries), 0) as folded from folded`);
  return Number(rowsOf<{ folded: string | number }>(result)[0]?.folded ?? 0);
}
