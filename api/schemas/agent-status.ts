// Agent status on the wire: what a node's agent reports (POST /v1/agent/status) and what the API
// answers about it (GET /v1/clusters/{id}/agents), with the presenter from its row.
import { z } from '@hono/zod-openapi';
import type { agentStatus } from '../../db/schema/index.ts';
import { refineStorableValue, storableText } from '../../policy/validation/storable-schema.ts';
import { timestamp } from './common.ts';

/** A Kubernetes node name: a DNS subdomain. */
export const nodeNameSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a DNS subdomain (a Kubernetes node name)');

export const agentErrorSchema = z
  .strictObject({
    code: storableText().max(64),
    message: storableText().max(4096),
    endpoint: storableText().max(300).optional(),
    revision: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  })
  .openapi('AgentError');

export const agentStatusInput = z
  .strictObject({
    nodeName: nodeNameSchema,
    appliedRevision: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).nullable(),
    inventoryHash: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'must be a hex SHA-256')
      .optional()
      .openapi({ description: 'Hash of the endpoint inventory the agent last applied' }),
    agentVersion: storableText().max(64).optional(),
    errors: z.array(agentErrorSchema).max(100).default([]),
    programs: z
      .record(z.string().max(300), z.unknown())
      .default({})
      // Free-form, stored as jsonb: bounded in depth, and every key and string storable.
      .superRefine(refineStorableValue)
      .openapi({
        description:
          'Per-endpoint program statistics (free-form): instructions, strategy, rules, maps, and bandwidth (token buckets per direction with rate, burst and packets/bytes passed and dropped)',
      }),
  })
  .openapi('AgentStatusInput');
export type AgentStatusInput = z.infer<typeof agentStatusInput>;

export const flowIntakeSchema = z
  .object({
    folded: z.number().int().openapi({ description: 'Entries added into a stored row of the same flow instead of a row of their own' }),
    dropped: z.number().int().openapi({ description: 'Entries not stored: over the cap with no stored row of the same flow to fold into' }),
  })
  .openapi('FlowIntake');

export const agentStatusSchema = z
  .object({
    nodeName: z.string(),
    appliedRevision: z.number().nullable(),
    inventoryHash: z.string().nullable(),
    agentVersion: z.string().nullable(),
    errors: z.array(agentErrorSchema),
    programs: z.record(z.string(), z.unknown()),
    reportedAt: timestamp,
    flows: flowIntakeSchema.openapi({ description: "This node's flow log entries folded or dropped for being over the plan's flowRowsPerAgentMinute" }),
  })
  .openapi('AgentStatus');
export type AgentStatusRecord = z.infer<typeof agentStatusSchema>;

export function presentAgentStatus(row: typeof agentStatus.$inferSelect, flows: z.infer<typeof flowIntakeSchema>): AgentStatusRecord {
  return {
    nodeName: row.nodeName,
    appliedRevision: row.appliedRevision,
    inventoryHash: row.inventoryHash,
    agentVersion: row.agentVersion,
    // Validated by agentStatusInput when it was stored.
    errors: row.errors as z.infer<typeof agentErrorSchema>[],
    programs: row.programs,
    reportedAt: row.reportedAt.toISOString(),
    flows,
  };
}
