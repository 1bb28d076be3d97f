// The invite routes, mounted here behind their body limit. Accept is registered before {id} routes.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { limitBodies, SMALL_OBJECT_BODY_BYTES } from '../../http/body-limits.ts';
import { registerAcceptInvite } from './accept.ts';
import { registerCreateInvite } from './create.ts';
import { registerGetInvite } from './get.ts';
import { registerListInvites } from './list.ts';
import { registerRevokeInvite } from './revoke.ts';

export function registerInviteRoutes(app: OpenAPIHono<AppEnv>) {
  app.use('/v1/invites/*', limitBodies(SMALL_OBJECT_BODY_BYTES, 'invite bodies'));
  app.use('/v1/invites', limitBodies(SMALL_OBJECT_BODY_BYTES, 'invite bodies'));
  registerAcceptInvite(app);
  registerCreateInvite(app);
  registerListInvites(app);
  registerGetInvite(app);
  registerRevokeInvite(app);
}
