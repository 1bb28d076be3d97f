import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { withTenant } from '../../../db/index.ts';
import { agentStatus } from '../../../db/schema/index.ts';
import type { AppEnv } from '../../env.ts';
import { commonErrors, idParam, jsonContent, timestamp } from '../../schemas/common.ts';
import { findCluster } from '../../services/clusters.ts';
import { agentErrorSchema } from '../agent/status.ts';

const agentSchema = z
  .object({
    nodeName: z.string(),
    appliedRevision: z.number().nullable(),
    inventoryHash: z.string().nullable(),
    agentVersion: z.string().nullable(),
    errors: z.array(agentErrorSchema),
    programs: z.record(z.string(), z.unknown()),
    reportedAt: timestamp,
  })
  .openapi('AgentStatus');

const route = createRoute({
  method: 'get',
  path: '/v1/clusters/{id}/agents',
  operationId: 'listClusterAgents',
  summary: "The latest status of each node's agent",
  tags: ['clusters'],
  security: [{ apiKey: [] }],
  request: { params: idParam },
  responses: { 200: jsonContent(z.object({ items: z.array(agentSchema) }).openapi('AgentStatusList'), 'One entry per node'), ...commonErrors },
});

export function registerClusterAgents(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    const caller = c.get('caller');
    const rows = await withTenant(c.get('services').database.db, caller.tenantId, async (tx) => {
      const cluster = await findCluster(tx, c.req.valid('param').id);
      return tx.select().from(agentStatus).where(eq(agentStatus.clusterId, cluster.id)).orderBy(agentStatus.nodeName);
    });
    const items = rows.map((row) => ({
      nodeName: row.nodeName,
      appliedRevision: row.appliedRevision,
      inventoryHash: row.inventoryHash,
      agentVersion: row.agentVersion,
      errors: row.errors as z.infer<typeof agentErrorSchema>[],
      programs: row.programs,
      reportedAt: row.reportedAt.toISOString(),
    }));
    return c.json({ items }, 200);
  });
}
