// The tenant on the wire: its plan and the limits that plan sets, and the presenter from its row.
import { z } from '@hono/zod-openapi';
import type { tenants } from '../../db/schema/index.ts';
import { planNames, tenantLimits } from '../../policy/plan/limits.ts';
import { readOnly, timestamp } from './common.ts';

export const tenantSchema = z
  .object({
    id: readOnly(z.string()),
    name: z.string(),
    plan: z.string().openapi({ description: 'Changed through PUT /v1/tenant/plan (owner only)' }),
    limits: z
      .object({
        clusters: z.number(),
        policies: z.number(),
        rulesPerPolicy: z.number(),
        rulesPerEndpoint: z.number().openapi({ description: 'Rules (match terms after selector expansion) in the longest direction of one endpoint' }),
        cidrsPerSet: z.number().openapi({ description: 'CIDRs in one NetworkSet or GlobalNetworkSet' }),
        bandwidthCeilingBitsPerSecond: z
          .number()
          .openapi({ description: "Per node and direction: the most all of the tenant's pods on one node may send or receive together, bit/s" }),
        flowRetentionHours: z.number().openapi({ description: 'How long flow logs are kept, in hours; older ones are deleted' }),
        flowRowsPerAgentMinute: z.number().openapi({
          description:
            "Flow log rows one node's agent may add per minute; past it, entries fold into that minute's rows of the same flow, or are dropped and counted",
        }),
      })
      .openapi('PlanLimits', { readOnly: true }),
    awsExternalId: readOnly(
      z.string().openapi({
        description: 'What the trust policy of an IAM role you let palisade assume must require as sts:ExternalId (EKS onboarding). Made once; never changes.',
      }),
    ),
    createdAt: readOnly(timestamp),
  })
  .openapi('Tenant');
export type TenantRecord = z.infer<typeof tenantSchema>;

export const tenantWithUsageSchema = tenantSchema
  .extend({
    usage: z.object({ clusters: z.number(), policies: z.number() }),
    awsPrincipal: z.string().nullable().openapi({
      description:
        "Palisade's AWS principal: what the Principal of your onboarding role's trust policy names (EKS onboarding); null where this deployment has none",
      example: 'arn:aws:iam::111122223333:root',
    }),
  })
  .openapi('TenantWithUsage');

export const planChangeInput = z.strictObject({ plan: z.enum(planNames) }).openapi('PlanChangeInput');
export type PlanChangeInput = z.infer<typeof planChangeInput>;

export function presentTenant(row: typeof tenants.$inferSelect): TenantRecord {
  return {
    id: row.id,
    name: row.name,
    plan: row.plan,
    limits: tenantLimits(row.plan, row.limits),
    awsExternalId: row.awsExternalId,
    createdAt: row.createdAt.toISOString(),
  };
}
