// The policy routes: one file per operation, mounted here. The manifest schema is registered once
// for all of them (request bodies refer to it, since the handlers read JSON or YAML themselves).
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { policyManifest } from '../../schemas/policies.ts';
import { registerApplyPolicies } from './apply.ts';
import { registerCreatePolicy } from './create.ts';
import { registerDeletePolicy } from './delete.ts';
import { registerGetPolicy } from './get.ts';
import { registerListPolicies } from './list.ts';
import { registerPromotePolicy } from './promote.ts';
import { registerReplacePolicy } from './replace.ts';

export function registerPolicyRoutes(app: OpenAPIHono<AppEnv>) {
  app.openAPIRegistry.register('PolicyManifest', policyManifest);
  registerCreatePolicy(app);
  registerListPolicies(app);
  registerGetPolicy(app);
  registerReplacePolicy(app);
  registerDeletePolicy(app);
  registerApplyPolicies(app);
  registerPromotePolicy(app);
}
