// Clusters on the wire: the input a user sends, the cluster the API answers with, and its presenter.
import { z } from '@hono/zod-openapi';
import { clusterProviders, clusterStatuses, type clusters } from '../../db/schema/index.ts';
import { readOnly, timestamp } from './common.ts';
import { clusterAwsSettings, onboardingFailureSchema } from './eks.ts';

/** Cluster names become parts of agent install commands and Helm values: a DNS label keeps them safe. */
const clusterName = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS label: lowercase letters, digits and "-", starting and ending with a letter or digit');

export const clusterInput = z
  .strictObject({
    name: clusterName,
    provider: z.enum(clusterProviders).default('other'),
    aws: clusterAwsSettings.optional(),
  })
  .superRefine((input, ctx) => {
    if (input.aws && input.provider !== 'eks') ctx.addIssue({ code: 'custom', path: ['aws'], message: 'is for provider "eks" only' });
  })
  .openapi('ClusterInput');
export type ClusterInput = z.infer<typeof clusterInput>;
export const clusterBody = { content: { 'application/json': { schema: clusterInput } }, required: true };

export const clusterSchema = z
  .object({
    id: readOnly(z.string()),
    name: z.string(),
    provider: z.enum(clusterProviders),
    status: readOnly(z.enum(clusterStatuses)),
    aws: clusterAwsSettings.nullable(),
    onboardingFailure: readOnly(onboardingFailureSchema.nullable().openapi({ description: 'Why onboarding stopped, while the status is failed' })),
    createdAt: readOnly(timestamp),
    updatedAt: readOnly(timestamp),
  })
  .openapi('Cluster');

export function presentCluster(row: typeof clusters.$inferSelect): z.infer<typeof clusterSchema> {
  return {
    id: row.id,
    name: row.name,
    provider: row.provider,
    status: row.status,
    aws: row.aws,
    onboardingFailure: row.onboardingFailure,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
