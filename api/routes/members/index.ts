// The member routes, mounted here.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { registerGetMember } from './get.ts';
import { registerListMembers } from './list.ts';
import { registerRemoveMember } from './remove.ts';

export function registerMemberRoutes(app: OpenAPIHono<AppEnv>) {
  registerListMembers(app);
  registerGetMember(app);
  registerRemoveMember(app);
}
