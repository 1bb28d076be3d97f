// Flow logs: one page after a cursor. Ids are UUIDv7, so "after the last id" is "newer".
import { z } from 'zod';
import type { ApiClient } from './client.ts';
import { pageOf } from './pages.ts';

const ruleSchema = z.object({ tier: z.string(), policyId: z.string(), ruleIndex: z.union([z.number(), z.literal('default')]), action: z.string() });

export const flowSchema = z.object({
  id: z.string(),
  nodeName: z.string(),
  startTime: z.string(),
  endTime: z.string(),
  endpoint: z.string(),
  direction: z.enum(['ingress', 'egress']),
  remote: z.string(),
  protocol: z.number(),
  port: z.number(),
  kind: z.enum(['allowed', 'denied', 'logged']),
  rule: ruleSchema.nullable(),
  pendingVerdict: z.enum(['allow', 'deny']).optional(),
  count: z.number(),
  bytes: z.number(),
});
export type Flow = z.infer<typeof flowSchema>;

export interface FlowQuery {
  kind?: Flow['kind'] | undefined;
}

const FLOW_PAGE_SIZE = 200;

export const listFlowPage = (client: ApiClient, clusterId: string, query: FlowQuery, cursor: string | undefined) =>
  client.request('GET', `/v1/clusters/${clusterId}/flows`, { query: { ...query, cursor, limit: FLOW_PAGE_SIZE }, schema: pageOf(flowSchema) });
