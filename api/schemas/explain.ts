// Explain on the wire: the query naming two pods and a port, and the verdict with each direction's trace.
import { z } from '@hono/zod-openapi';
import { actionSchema } from '../../policy/ir.ts';

const endpointRef = z
  .string()
  .regex(/^[^/\s]+\/[^/\s]+$/, 'must be namespace/pod')
  .max(507);

export const explainQuery = z.object({
  from: endpointRef.openapi({ description: 'The client pod, namespace/name', example: 'x/a' }),
  to: endpointRef.openapi({ description: 'The server pod, namespace/name', example: 'y/b' }),
  port: z.coerce.number().int().min(1).max(65535).openapi({ description: 'Destination port', example: 80 }),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']).default('TCP').openapi({ description: 'Transport protocol (default TCP)' }),
  family: z
    .enum(['4', '6'])
    .default('4')
    .transform((f) => (f === '6' ? 6 : 4) as 4 | 6)
    .openapi({ description: 'Address family; each end uses its first address of it (default 4)' }),
});
export type ExplainQuery = z.output<typeof explainQuery>;

export const traceEntrySchema = z
  .object({
    tier: z.string(),
    policy: z.string().openapi({ description: 'The policy of the matching rule; for a tier default, the last policy of the tier that selected the endpoint' }),
    ruleIndex: z
      .union([z.number().int(), z.literal('default')])
      .openapi({ description: "The rule's index in its policy, or 'default' for the tier's default action" }),
    action: actionSchema,
  })
  .openapi('ExplainTraceEntry');

export const directionExplanationSchema = z
  .object({
    verdict: z.enum(['allow', 'deny']),
    trace: z.array(traceEntrySchema).openapi({
      description:
        'Every rule that matched and acted (Log, Pass, the decision) and every tier default applied, in evaluation order; empty when no policy selects the endpoint',
    }),
    stagedVerdict: z
      .enum(['allow', 'deny'])
      .optional()
      .openapi({ description: 'What staged policies would have decided (present when some select the endpoint)' }),
    stagedTrace: z.array(traceEntrySchema).optional(),
  })
  .openapi('DirectionExplanation');

export const explanationSchema = z
  .object({
    verdict: z.enum(['allow', 'deny']).openapi({ description: "allow only when the client's egress and the server's ingress both allow" }),
    from: z.string(),
    to: z.string(),
    port: z.number().int(),
    protocol: z.string(),
    revision: z.number().int().nullable().openapi({ description: 'The bundle revision explained; null when no bundle was ever built (nothing is enforced)' }),
    inventoryHash: z.string().openapi({ description: 'Hash of the stored inventory explained against (agents report the hash they applied)' }),
    inventoryReportedBy: z.string(),
    inventoryReportedAt: z.string().openapi({ format: 'date-time' }),
    egress: directionExplanationSchema.openapi({ description: "The client's egress, with the server's address as remote" }),
    ingress: directionExplanationSchema.openapi({ description: "The server's ingress, with the client's address as remote" }),
    sameEndpoint: z.literal(true).optional().openapi({
      description:
        'Present when from and to are one pod: allowed without consulting policy, since a pod cannot block access to itself and that traffic never crosses its interface',
    }),
  })
  .openapi('Explanation');
export type Explanation = z.infer<typeof explanationSchema>;
