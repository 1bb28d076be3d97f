// GET /v1/trust-root: the public keys that verify bundles (a JWKS), for installing with the agent.
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { trustRootOf } from '../../../policy/bundle/index.ts';
import type { AppEnv } from '../../env.ts';
import { jsonContent, publicSecurity } from '../../schemas/common.ts';

const trustRootSchema = z
  .object({ keys: z.array(z.object({ kty: z.string(), crv: z.string(), x: z.string(), kid: z.string(), alg: z.string(), use: z.string() })) })
  .openapi('TrustRoot');

const route = createRoute({
  method: 'get',
  path: '/v1/trust-root',
  operationId: 'getTrustRoot',
  summary: 'The public keys (JWKS) that verify bundles; install it with the agent',
  tags: ['agent'],
  security: publicSecurity,
  responses: { 200: jsonContent(trustRootSchema, 'A JSON Web Key Set of Ed25519 keys') },
});

export function registerGetTrustRoot(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, (c) => {
    const { keyRing, clock } = c.get('services');
    return c.json(trustRootOf(keyRing(), clock()), 200, { 'cache-control': 'public, max-age=300' });
  });
}
