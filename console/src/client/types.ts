// The API's own types, inferred from its zod schemas (type-only imports: nothing of the server reaches
// the bundle).
import type { z } from 'zod';
import type { agentStatusSchema } from '../../../api/schemas/agent-status.ts';
import type { apiKeySchema } from '../../../api/schemas/api-keys.ts';
import type { applyResultSchema } from '../../../api/schemas/apply.ts';
import type { auditEventSchema } from '../../../api/schemas/audit-events.ts';
import type { clusterInventorySchema } from '../../../api/schemas/cluster-inventory.ts';
import type { clusterSchema } from '../../../api/schemas/clusters.ts';
import type { problemSchema } from '../../../api/schemas/common.ts';
import type { explanationSchema, traceEntrySchema } from '../../../api/schemas/explain.ts';
import type { flowSchema } from '../../../api/schemas/flows.ts';
import type { impactSchema } from '../../../api/schemas/impact.ts';
import type { inviteSchema, memberSchema, newInviteSchema } from '../../../api/schemas/members.ts';
import type { policySchema } from '../../../api/schemas/policies.ts';
import type { sessionSchema } from '../../../api/schemas/session.ts';
import type { tenantWithUsageSchema } from '../../../api/schemas/tenant.ts';

export type Cluster = z.infer<typeof clusterSchema>;
export type ClusterInventory = z.infer<typeof clusterInventorySchema>;
export type AgentStatus = z.infer<typeof agentStatusSchema>;
export type ApiKey = z.infer<typeof apiKeySchema>;
export type ApplyResult = z.infer<typeof applyResultSchema>;
export type Problem = z.infer<typeof problemSchema>;
export type Explanation = z.infer<typeof explanationSchema>;
export type TraceEntry = z.infer<typeof traceEntrySchema>;
export type Flow = z.infer<typeof flowSchema>;
export type Impact = z.infer<typeof impactSchema>;
export type Policy = z.infer<typeof policySchema>;
export type TenantWithUsage = z.infer<typeof tenantWithUsageSchema>;
export type Role = ApiKey['role'];

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type Session = z.infer<typeof sessionSchema>;

export type Member = z.infer<typeof memberSchema>;
export type Invite = z.infer<typeof inviteSchema>;
export type NewInvite = z.infer<typeof newInviteSchema>;

export type AuditEvent = z.infer<typeof auditEventSchema>;
