// GET /v1/clusters/{id}/explain: "why was this dropped?", answered with the dataplane's evaluation
// order against the latest bundle and the inventory the cluster's agent last reported.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { apiKeySecurity, commonErrors, idParam, jsonContent, problemSchema } from '../../schemas/common.ts';
import { explainQuery, explanationSchema } from '../../schemas/explain.ts';
import { explainConnection } from '../../services/explain.ts';

const route = createRoute({
  method: 'get',
  path: '/v1/clusters/{id}/explain',
  operationId: 'explainConnection',
  summary: 'Explain whether one pod can connect to another, and which tier, policy and rule decide it',
  description:
    "Evaluates the cluster's latest bundle against the endpoint inventory its agent last reported, in the dataplane's order: " +
    'tiers ascending, policies and rules in order, first deciding rule wins, tier defaults where a tier selects the endpoint but no rule decides. ' +
    "A connection is allowed when the client's egress and the server's ingress both allow it.",
  tags: ['clusters'],
  security: apiKeySecurity,
  request: { params: idParam, query: explainQuery },
  responses: {
    200: jsonContent(explanationSchema, 'The verdict with the trace of each direction'),
    ...commonErrors,
    404: {
      description: 'No such cluster, or no such pod in its inventory (`errors` names the query field)',
      content: { 'application/problem+json': { schema: problemSchema } },
    },
    409: { description: "The cluster's agents have not reported an inventory yet", content: { 'application/problem+json': { schema: problemSchema } } },
  },
});

export function registerExplainConnection(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => c.json(await explainConnection(tenantContext(c), { clusterId: c.req.valid('param').id, query: c.req.valid('query') }), 200));
}
