// Bundle records on the wire: what the API says about a signed bundle (never the bundle itself, which
// only the agent endpoint serves), and the presenter from its row.
import { z } from '@hono/zod-openapi';
import type { bundles } from '../../db/schema/index.ts';
import { timestamp } from './common.ts';

export const bundleSchema = z
  .object({
    id: z.string(),
    clusterId: z.string(),
    revision: z.number(),
    sha256: z.string(),
    contentHash: z.string(),
    keyId: z.string(),
    size: z.number(),
    createdAt: timestamp,
    expiresAt: timestamp,
  })
  .openapi('Bundle');

export function presentBundle(row: typeof bundles.$inferSelect): z.infer<typeof bundleSchema> {
  return {
    id: row.id,
    clusterId: row.clusterId,
    revision: row.revision,
    sha256: row.sha256,
    contentHash: row.contentHash,
    keyId: row.keyId,
    size: row.size,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
  };
}
