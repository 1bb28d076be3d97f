// GET /v1/clusters/{id}/flows: flow logs, newest last, filterable by outcome, endpoint and the pending
// verdict of staged policies ("what would enforcing my staged policy break?": pendingVerdict=deny).
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { eq, gte } from 'drizzle-orm';
import { withTenant } from '../../../db/index.ts';
import { flowLogs } from '../../../db/schema/index.ts';
import { flowLogEntrySchema } from '../../../policy/flow-log.ts';
import type { AppEnv } from '../../env.ts';
import { toPage } from '../../http/pagination.ts';
import { commonErrors, idParam, jsonContent, listQuery, page } from '../../schemas/common.ts';
import { pageInCluster } from '../../services/clusters.ts';

const flowSchema = flowLogEntrySchema.extend({ id: z.string(), nodeName: z.string() }).openapi('FlowLog');

const route = createRoute({
  method: 'get',
  path: '/v1/clusters/{id}/flows',
  operationId: 'listFlowLogs',
  summary: "The cluster's flow logs: who talked to whom, which rule decided, what staged policies would have done",
  tags: ['flows'],
  security: [{ apiKey: [] }],
  request: {
    params: idParam,
    query: listQuery.extend({
      since: z.iso.datetime().optional().openapi({ description: 'Only buckets ending at or after this time' }),
      kind: flowLogEntrySchema.shape.kind.optional(),
      endpoint: z.string().optional().openapi({ description: 'namespace/pod' }),
      pendingVerdict: z.enum(['allow', 'deny']).optional(),
    }),
  },
  responses: { 200: jsonContent(page(flowSchema, 'FlowLogPage'), 'A page of flow logs'), ...commonErrors },
});

export function registerListFlows(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    const caller = c.get('caller');
    const query = c.req.valid('query');
    const rows = await withTenant(c.get('services').database.db, caller.tenantId, (tx) =>
      pageInCluster(
        tx,
        c.req.valid('param').id,
        flowLogs,
        query,
        query.since ? gte(flowLogs.endTime, new Date(query.since)) : undefined,
        query.kind ? eq(flowLogs.kind, query.kind) : undefined,
        query.endpoint ? eq(flowLogs.endpoint, query.endpoint) : undefined,
        query.pendingVerdict ? eq(flowLogs.pendingVerdict, query.pendingVerdict) : undefined,
      ),
    );
    return c.json(
      toPage(rows, query, (row) => ({
        id: row.id,
        nodeName: row.nodeName,
        startTime: row.startTime.toISOString(),
        endTime: row.endTime.toISOString(),
        endpoint: row.endpoint,
        direction: row.direction,
        remote: row.remote,
        protocol: row.protocol,
        port: row.port,
        kind: row.kind,
        rule: row.rule ?? null,
        ...(row.pendingVerdict && { pendingVerdict: row.pendingVerdict, pendingRule: row.pendingRule ?? null }),
        count: row.count,
        bytes: row.bytes,
      })),
      200,
    );
  });
}
