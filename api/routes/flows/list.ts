// GET /v1/clusters/{id}/flows: flow logs, newest last, filterable by time, verdict, namespace, pod,
// deciding policy, port, protocol and the pending verdict of staged policies.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { apiKeySecurity, commonErrors, idParam, jsonContent, listQuery, page } from '../../schemas/common.ts';
import { flowFilterQuery, flowSchema } from '../../schemas/flows.ts';
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
    query: listQuery.extend(flowFilterQuery),
  },
  responses: { 200: jsonContent(page(flowSchema, 'FlowLogPage'), 'A page of flow logs'), ...commonErrors },
});

export function registerListFlowLogs(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => c.json(await listFlowLogs(tenantContext(c), { clusterId: c.req.valid('param').id, filter: c.req.valid('query') }), 200));
}
