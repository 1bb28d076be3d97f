// The cluster routes: one file per operation, mounted here.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { registerCreateCluster } from './create.ts';
import { registerDeleteCluster } from './delete.ts';
import { registerGetCluster } from './get.ts';
import { registerListClusters } from './list.ts';
import { registerListClusterAgents } from './list-agents.ts';
import { registerReplaceCluster } from './replace.ts';

export function registerClusterRoutes(app: OpenAPIHono<AppEnv>) {
  registerCreateCluster(app);
  registerListClusters(app);
  registerGetCluster(app);
  registerReplaceCluster(app);
  registerDeleteCluster(app);
  registerListClusterAgents(app);
}
