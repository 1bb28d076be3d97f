import { z } from '@hono/zod-openapi';
import { memberRoles, type apiKeys } from '../../../db/schema/index.ts';
import { timestamp } from '../../schemas/common.ts';

export const apiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(memberRoles),
    prefix: z.string().openapi({ description: 'First characters of the key, for recognising it' }),
    createdAt: timestamp,
    lastUsedAt: timestamp.nullable(),
  })
  .openapi('ApiKey');

export const apiKeyInput = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    role: z.enum(memberRoles).default('editor'),
  })
  .openapi('ApiKeyInput');

export function presentApiKey(row: typeof apiKeys.$inferSelect): z.infer<typeof apiKeySchema> {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    prefix: row.prefix,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  };
}
