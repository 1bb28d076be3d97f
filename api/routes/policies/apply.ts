// POST /v1/apply?cluster=<id>[&dryRun=true[&impact=true[&since=6h]]][&prune=true&pruneAnnotation=key=value]:
// kubectl apply for palisade. Multi-document YAML, a JSON array or a List; created or replaced by
// kind/namespace/name; with prune, the cluster's objects carrying the annotation that the body no longer
// holds are deleted; all or nothing, in one transaction; dryRun returns the diff, and impact the
// observed flows whose verdict would change.
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { labelKeyErrors } from '../../../policy/validation/labels.ts';
import { storableText } from '../../../policy/validation/storable-schema.ts';
import type { AppEnv } from '../../env.ts';
import { validationFailed } from '../../errors/api-error.ts';
import { tenantContext } from '../../http/context.ts';
import { readDocuments } from '../../http/read-documents.ts';
import { applyResultSchema } from '../../schemas/apply.ts';
import { apiKeySecurity, jsonContent, writeErrors } from '../../schemas/common.ts';
import { impactQuery, impactRequestOf } from '../../schemas/impact.ts';
import { applyPolicies } from '../../services/policies/apply.ts';
import type { PruneMarker } from '../../services/policies/cluster-objects.ts';

/** `palisade.dev/applied-by=cli`: an annotation key (Kubernetes' rule, case aside) and its value. */
const pruneAnnotation = storableText()
  .max(512)
  .superRefine((text, ctx) => {
    const separator = text.indexOf('=');
    const key = separator < 0 ? '' : text.slice(0, separator);
    if (separator < 0) ctx.addIssue({ code: 'custom', message: 'must be key=value, e.g. palisade.dev/applied-by=cli' });
    else for (const detail of labelKeyErrors(key.toLowerCase())) ctx.addIssue({ code: 'custom', message: `key ${detail}` });
  });

const multiDocument = { schema: { type: 'string' as const, description: 'One or more objects: multi-document YAML, a JSON array, or a List' } };

const route = createRoute({
  method: 'post',
  path: '/v1/apply',
  operationId: 'applyPolicies',
  summary: 'Create or replace many policy objects at once, all or nothing (kubectl apply)',
  tags: ['policies'],
  security: apiKeySecurity,
  request: {
    query: z.object({
      cluster: storableText().openapi({ description: 'The cluster to apply to' }),
      dryRun: z.enum(['true', 'false']).default('false').openapi({ description: 'Validate, check limits and return the diff without writing' }),
      ...impactQuery,
      prune: z.enum(['true', 'false']).default('false').openapi({
        description: "Also delete the cluster's objects marked with pruneAnnotation that the body does not hold, in the same transaction",
      }),
      pruneAnnotation: pruneAnnotation.optional().openapi({
        description:
          'With prune=true, required: the annotation key=value marking the objects prune may delete (the CLI marks its own with palisade.dev/applied-by=cli)',
        example: 'palisade.dev/applied-by=cli',
      }),
    }),
    body: {
      content: {
        'application/yaml': multiDocument,
        'application/x-yaml': multiDocument,
        'application/json': { schema: { type: 'array' as const, items: { $ref: '#/components/schemas/PolicyManifest' } } },
      },
      required: true,
    },
  },
  responses: { 200: jsonContent(applyResultSchema, 'What each object became (or would become, with dryRun)'), ...writeErrors },
});

export function registerApplyPolicies(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    const query = c.req.valid('query');
    const dryRun = query.dryRun === 'true';
    const impact = impactRequestOf(query, c.get('services').clock());
    const prune = query.prune === 'true' ? pruneMarker(query.pruneAnnotation) : undefined;
    const applied = await applyPolicies(tenantContext(c), { clusterId: query.cluster, documents: await readDocuments(c), dryRun, impact, prune });
    return c.json({ dryRun, ...applied }, 200);
  });
}

/** Prune needs its marker named: without one, every object in the cluster would be prunable. */
function pruneMarker(annotation: string | undefined): PruneMarker {
  if (annotation === undefined)
    throw validationFailed([{ path: 'query.pruneAnnotation', message: 'is required with prune=true: the annotation key=value marking what may be pruned' }]);
  const separator = annotation.indexOf('=');
  return { annotation: annotation.slice(0, separator), value: annotation.slice(separator + 1) };
}
