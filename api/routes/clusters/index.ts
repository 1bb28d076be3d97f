// The cluster routes: one file per operation, mounted here behind their body limit.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { limitBodies, SMALL_OBJECT_BODY_BYTES } from '../../http/body-limits.ts';
import { registerCreateCluster } from './create.ts';
import { registerDeleteCluster } from './delete.ts';
import { registerGetCluster } from './get.ts';
import { registerGetClusterCompatibility } from './get-compatibility.ts';
import { registerGetClusterInventory } from './get-inventory.ts';
import { registerListClusters } from './list.ts';
import { registerListClusterAgents } from './list-agents.ts';
import { registerReplaceCluster } from './replace.ts';

export function registerClusterRoutes(app: OpenAPIHono<AppEnv>) {
  app.use('/v1/clusters', limitBodies(SMALL_OBJECT_BODY_BYTES, 'cluster bodies'));
  app.use('/v1/clusters/:id', limitBodies(SMALL_OBJECT_BODY_BYTES, 'cluster bodies'));
  registerCreateCluster(app);
  registerListClusters(app);
  registerGetCluster(app);
  registerReplaceCluster(app);
  registerDeleteCluster(app);
  registerListClusterAgents(app);
  registerGetClusterCompatibility(app);
  registerGetClusterInventory(app);
}
