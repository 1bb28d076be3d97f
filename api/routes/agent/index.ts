// The agent endpoints (agent tokens only): one file per operation, mounted here.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { registerGetAgentBundle } from './get-bundle.ts';
import { registerReportAgentInventory } from './report-inventory.ts';
import { registerReportAgentStatus } from './report-status.ts';
import { registerShipAgentFlowLogs } from './ship-flows.ts';

export function registerAgentRoutes(app: OpenAPIHono<AppEnv>) {
  registerGetAgentBundle(app);
  registerReportAgentStatus(app);
  registerShipAgentFlowLogs(app);
  registerReportAgentInventory(app);
}
