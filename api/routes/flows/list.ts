// GET /v1/clusters/{id}/flows: flow logs, newest last, filterable by outcome, endpoint and the pending
// verdict of staged policies.
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { flowLogEntrySchema } from '../../../policy/flow-log.ts';
import { reportedTime, storableText } from '../../../policy/validation/storable-schema.ts';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { apiKeySecurity, commonErrors, idParam, jsonContent, listQuery, page } from '../../schemas/common.ts';
import { flowSchema } from '../../schemas/flows.ts';
import { listFlowLogs } from '../../services/flows.ts';

const route = createRoute({
  method: 'get',
  path: '/v1/clusters/{id}/flows',
  operationId: 'listFlowLogs',
  summary: "The cluster's flow logs: who talked to whom, which rule decided, what staged policies would have done",
  tags: ['flows'],
  security: apiKeySecurity,
  request: {
    params: idParam,
    query: listQuery.extend({
      since: reportedTime().optional().openapi({ description: 'Only buckets ending at or after this time' }),
      kind: flowLogEntrySchema.shape.kind.optional(),
      endpoint: storableText().max(317).optional().openapi({ description: 'namespace/pod' }),
      pendingVerdict: z.enum(['allow', 'deny']).optional(),
    }),
  },
  responses: { 200: jsonContent(page(flowSchema, 'FlowLogPage'), 'A page of flow logs'), ...commonErrors },
});

export function registerListFlowLogs(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => c.json(await listFlowLogs(tenantContext(c), { clusterId: c.req.valid('param').id, filter: c.req.valid('query') }), 200));
}
