// Sign-up: the only unauthenticated write. Creates a tenant on the free plan, its owner and the owner's
// first API key; the owner changes plan afterwards (PUT /v1/tenant/plan), so no anonymous caller picks one.
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { storableText } from '../../../policy/validation/storable-schema.ts';
import type { AppEnv } from '../../env.ts';
import { apiKeySchema, presentApiKey } from '../../schemas/api-keys.ts';
import { commonErrors, jsonContent } from '../../schemas/common.ts';
import { passwordSchema } from '../../schemas/session.ts';
import { presentTenant, tenantSchema } from '../../schemas/tenant.ts';
import { createTenant } from '../../services/tenants.ts';

const signupInput = z
  .strictObject({
    tenantName: storableText().trim().min(1).max(100),
    email: z.email().max(254),
    password: passwordSchema.optional().openapi({ description: "The owner's password for signing in to the console (12 to 200 characters)" }),
  })
  .openapi('SignupInput');

const signupResult = z
  .object({ tenant: tenantSchema, apiKey: apiKeySchema.extend({ key: z.string().openapi({ description: 'Shown once' }) }) })
  .openapi('SignupResult');

const route = createRoute({
  method: 'post',
  path: '/v1/signup',
  operationId: 'signup',
  summary: 'Create a tenant with its owner and first API key',
  tags: ['tenant'],
  request: { body: { content: { 'application/json': { schema: signupInput } }, required: true } },
  responses: { 201: jsonContent(signupResult, 'Tenant created; the key is shown only in this response'), ...commonErrors },
});

export function registerSignup(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    const created = await createTenant(c.get('services').database.db, { ...c.req.valid('json'), plan: 'free' });
    return c.json({ tenant: presentTenant(created.tenant), apiKey: { ...presentApiKey(created.apiKey), key: created.secret } }, 201);
  });
}
