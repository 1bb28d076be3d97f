// API keys on the wire: the input, the key as listed (never its secret), and its presenter.
import { z } from '@hono/zod-openapi';
import { type apiKeys, memberRoles } from '../../db/schema/index.ts';
import { storableText } from '../../policy/validation/storable-schema.ts';
import { readOnly, timestamp } from './common.ts';

export const apiKeySchema = z
  .object({
    id: readOnly(z.string()),
    name: z.string(),
    role: z.enum(memberRoles),
    prefix: z.string().openapi({ description: 'First characters of the key, for recognising it', readOnly: true }),
    createdAt: readOnly(timestamp),
    lastUsedAt: readOnly(timestamp.nullable()),
  })
  .openapi('ApiKey');
export type ApiKeyRecord = z.infer<typeof apiKeySchema>;

export const apiKeyInput = z
  .strictObject({
    name: storableText().trim().min(1).max(100),
    role: z.enum(memberRoles).default('editor'),
  })
  .openapi('ApiKeyInput');
export type ApiKeyInput = z.infer<typeof apiKeyInput>;

export function presentApiKey(row: typeof apiKeys.$inferSelect): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    prefix: row.prefix,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  };
}
