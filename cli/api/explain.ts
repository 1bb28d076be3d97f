// "Can this pod reach that one?": the verdict and the rules that decided, per direction.
import { z } from 'zod';
import type { ApiClient } from './client.ts';

const traceEntrySchema = z.object({ tier: z.string(), policy: z.string(), ruleIndex: z.union([z.number(), z.literal('default')]), action: z.string() });
export type TraceEntry = z.infer<typeof traceEntrySchema>;

const directionSchema = z.object({
  verdict: z.enum(['allow', 'deny']),
  trace: z.array(traceEntrySchema),
  stagedVerdict: z.enum(['allow', 'deny']).optional(),
  stagedTrace: z.array(traceEntrySchema).optional(),
});

const explanationSchema = z.object({
  verdict: z.enum(['allow', 'deny']),
  from: z.string(),
  to: z.string(),
  port: z.number(),
  protocol: z.string(),
  revision: z.number().nullable(),
  egress: directionSchema,
  ingress: directionSchema,
});
export type Explanation = z.infer<typeof explanationSchema>;

interface ExplainQuery {
  from: string;
  to: string;
  port: number;
  protocol: string;
}

const flags: Record<string, string> = { 'query.from': '--from', 'query.to': '--to', 'query.port': '--port', 'query.protocol': '--port' };

export const explain = (client: ApiClient, clusterId: string, query: ExplainQuery) =>
  client.request('GET', `/v1/clusters/${clusterId}/explain`, { query: { ...query }, schema: explanationSchema, describeField: (path) => flags[path] ?? path });
