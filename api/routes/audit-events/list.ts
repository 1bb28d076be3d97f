// GET /v1/audit-events: the tenant's audit log, newest first, filtered and cursor-paginated.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { auditEventQuery, auditEventSchema } from '../../schemas/audit-events.ts';
import { apiKeySecurity, commonErrors, jsonContent, page } from '../../schemas/common.ts';
import { listAuditEvents } from '../../services/audit-events.ts';

const route = createRoute({
  method: 'get',
  path: '/v1/audit-events',
  operationId: 'listAuditEvents',
  summary: 'The audit log: who changed what, before and after, newest first',
  tags: ['audit'],
  security: apiKeySecurity,
  request: { query: auditEventQuery },
  responses: { 200: jsonContent(page(auditEventSchema, 'AuditEventPage'), 'A page of audit events'), ...commonErrors },
});

export function registerListAuditEvents(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => c.json(await listAuditEvents(tenantContext(c), c.req.valid('query')), 200));
}
