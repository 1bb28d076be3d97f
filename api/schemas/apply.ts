// Apply's answer on the wire: what each object became (or would become, with dryRun), and the objects
// prune deleted (or would delete).
import { z } from '@hono/zod-openapi';
import { impactSchema } from './impact.ts';
import { writeWarningsSchema } from './policies.ts';

const applyActions = ['created', 'configured', 'unchanged', 'pruned'] as const;

export const applyResultSchema = z
  .object({
    dryRun: z.boolean(),
    results: z.array(
      z.object({
        kind: z.string(),
        namespace: z.string().nullable(),
        name: z.string(),
        action: z.enum(applyActions).openapi({ description: 'pruned: deleted because the request no longer holds it (prune mode)' }),
        id: z.string().nullable(),
        before: z.record(z.string(), z.unknown()).nullable().openapi({ description: 'The stored manifest, as written; null when created' }),
        after: z.record(z.string(), z.unknown()).nullable().openapi({ description: 'The manifest as this request writes it; null when pruned' }),
      }),
    ),
    impact: impactSchema.optional().openapi({ description: 'With dryRun=true&impact=true: observed flows whose verdict the apply would change' }),
    /** Paths start with the document's index when several documents were applied. */
    warnings: writeWarningsSchema,
  })
  .openapi('ApplyResult');
export type ApplyResult = z.infer<typeof applyResultSchema>['results'][number];
