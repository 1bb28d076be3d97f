// GET /v1/policies/{id}: one policy object with its ETag; with Accept: application/yaml, the manifest
// alone, ready for kubectl or a Git repository.
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { stringify } from 'yaml';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { versionEtag } from '../../http/etag.ts';
import { apiKeySecurity, idParam, writeErrors } from '../../schemas/common.ts';
import { policySchema, presentPolicy, writtenManifestOf } from '../../schemas/policies.ts';
import { getPolicy } from '../../services/policies/read.ts';

const route = createRoute({
  method: 'get',
  path: '/v1/policies/{id}',
  operationId: 'getPolicy',
  summary: 'Read a policy',
  tags: ['policies'],
  security: apiKeySecurity,
  request: { params: idParam },
  responses: {
    200: {
      description: 'The policy, with its ETag; with Accept: application/yaml, its manifest as YAML',
      content: { 'application/json': { schema: policySchema }, 'application/yaml': { schema: z.string() } },
    },
    ...writeErrors,
  },
});

export function registerGetPolicy(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    const row = await getPolicy(tenantContext(c), { policyId: c.req.valid('param').id });
    c.header('etag', versionEtag(row.version));
    if (/application\/(x-)?yaml/.test(c.req.header('accept') ?? ''))
      return c.body(stringify(writtenManifestOf(row)), 200, { 'content-type': 'application/yaml' });
    return c.json(presentPolicy(row), 200);
  });
}
