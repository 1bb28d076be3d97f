// Apply's answer on the wire: what each object became (or would become, with dryRun).
import { z } from '@hono/zod-openapi';
import { writeWarningsSchema } from './policies.ts';

const applyActions = ['created', 'configured', 'unchanged'] as const;

export const applyResultSchema = z
  .object({
    dryRun: z.boolean(),
    results: z.array(
      z.object({
        kind: z.string(),
        namespace: z.string().nullable(),
        name: z.string(),
        action: z.enum(applyActions),
        id: z.string().nullable(),
        before: z.record(z.string(), z.unknown()).nullable(),
        after: z.record(z.string(), z.unknown()),
      }),
    ),
    /** Paths start with the document's index when several documents were applied. */
    warnings: writeWarningsSchema,
  })
  .openapi('ApplyResult');
export type ApplyResult = z.infer<typeof applyResultSchema>['results'][number];
