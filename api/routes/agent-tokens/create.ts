// POST /v1/clusters/{id}/agent-tokens: mint a token for the cluster's agents; the secret is in this
// response only.
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { agentTokenInput, agentTokenSchema } from '../../schemas/agent-tokens.ts';
import { apiKeySecurity, commonErrors, idempotencyHeader, idParam, jsonContent } from '../../schemas/common.ts';
import { createAgentToken } from '../../services/agent-tokens.ts';

const route = createRoute({
  method: 'post',
  path: '/v1/clusters/{id}/agent-tokens',
  operationId: 'createAgentToken',
  summary: "Mint a token for the cluster's agents (the secret is in this response only)",
  tags: ['agent-tokens'],
  security: apiKeySecurity,
  request: { params: idParam, headers: idempotencyHeader, body: { content: { 'application/json': { schema: agentTokenInput } }, required: false } },
  responses: { 201: jsonContent(agentTokenSchema.extend({ token: z.string() }).openapi('NewAgentToken'), 'Created'), ...commonErrors },
});

export function registerCreateAgentToken(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    // The body is optional: without one (no JSON content type) the validator passes nothing through.
    const name = (c.req.valid('json') as z.infer<typeof agentTokenInput> | undefined)?.name ?? 'agent';
    return c.json(await createAgentToken(tenantContext(c), { clusterId: c.req.valid('param').id, name }), 201);
  });
}
