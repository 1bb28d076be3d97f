// POST /v1/agent/status: each node's agent reports what it enforces, like OPA's status API.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { newId, withTenant } from '../../../db/index.ts';
import { agentStatus } from '../../../db/schema/index.ts';
import type { AppEnv } from '../../env.ts';
import { commonErrors } from '../../schemas/common.ts';

export const agentErrorSchema = z
  .strictObject({
    code: z.string().max(64),
    message: z.string().max(4096),
    endpoint: z.string().max(300).optional(),
    revision: z.number().int().nonnegative().optional(),
  })
  .openapi('AgentError');

export const agentStatusInput = z
  .strictObject({
    nodeName: z.string().min(1).max(253).regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a DNS subdomain (a Kubernetes node name)'),
    appliedRevision: z.number().int().nonnegative().nullable(),
    inventoryHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a hex SHA-256').optional().openapi({ description: 'Hash of the endpoint inventory the agent last applied' }),
    agentVersion: z.string().max(64).optional(),
    errors: z.array(agentErrorSchema).max(100).default([]),
    programs: z.record(z.string().max(300), z.unknown()).default({}).openapi({
      description: 'Per-endpoint program statistics (free-form): instructions, strategy, rules, maps, and bandwidth (token buckets per direction with rate, burst and packets/bytes passed and dropped)',
    }),
  })
  .openapi('AgentStatusInput');

const route = createRoute({
  method: 'post',
  path: '/v1/agent/status',
  operationId: 'reportAgentStatus',
  summary: "Report a node agent's applied revision, errors and program statistics",
  tags: ['agent'],
  security: [{ agentToken: [] }],
  request: { body: { content: { 'application/json': { schema: agentStatusInput } }, required: true } },
  responses: { 204: { description: 'Recorded' }, ...commonErrors },
});

export function registerAgentStatus(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    const agent = c.get('agent');
    const input = c.req.valid('json');
    const values = {
      appliedRevision: input.appliedRevision,
      inventoryHash: input.inventoryHash ?? null,
      agentVersion: input.agentVersion ?? null,
      errors: input.errors,
      programs: input.programs,
      reportedAt: new Date(),
    };
    await withTenant(c.get('services').database.db, agent.tenantId, (tx) =>
      tx
        .insert(agentStatus)
        .values({ id: newId(), tenantId: agent.tenantId, clusterId: agent.clusterId, nodeName: input.nodeName, ...values })
        .onConflictDoUpdate({ target: [agentStatus.tenantId, agentStatus.clusterId, agentStatus.nodeName], set: values }),
    );
    return c.body(null, 204);
  });
}
