import { index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { clusters } from './clusters.ts';
import { createdAt, id, tenantId, tenantIsolation } from './columns.ts';

/** The credential an agent DaemonSet uses; bound to one cluster, stored hashed like API keys. */
export const agentTokens = pgTable(
  'agent_tokens',
  {
    id: id(),
    tenantId: tenantId(),
    clusterId: uuid('cluster_id')
      .notNull()
      .references(() => clusters.id),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    hash: text('hash').notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [uniqueIndex('agent_tokens_hash').on(t.hash), index('agent_tokens_cluster').on(t.tenantId, t.clusterId), tenantIsolation('agent_tokens', t.tenantId)],
).enableRLS();
