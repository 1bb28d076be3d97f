// Agent tokens on the wire: the input, the token as listed (never its secret), and its presenter.
import { z } from '@hono/zod-openapi';
import type { agentTokens } from '../../db/schema/index.ts';
import { storableText } from '../../policy/validation/storable-schema.ts';
import { idParam, readOnly, timestamp } from './common.ts';

export const agentTokenSchema = z
  .object({
    id: readOnly(z.string()),
    clusterId: readOnly(z.string()),
    name: z.string(),
    prefix: readOnly(z.string()),
    createdAt: readOnly(timestamp),
    lastUsedAt: readOnly(timestamp.nullable()),
  })
  .openapi('AgentToken');
export type AgentTokenRecord = z.infer<typeof agentTokenSchema>;

export const agentTokenInput = z.strictObject({ name: storableText().trim().min(1).max(100).default('agent') }).openapi('AgentTokenInput');

export function presentAgentToken(row: typeof agentTokens.$inferSelect): AgentTokenRecord {
  return {
    id: row.id,
    clusterId: row.clusterId,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  };
}

/** A cluster's id and one of its tokens' ids, as the token's own paths take them. */
export const tokenParams = idParam.extend({ tokenId: z.string().openapi({ param: { name: 'tokenId', in: 'path' } }) });
