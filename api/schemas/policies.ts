// Policy objects on the wire: the manifest a user sends (documented loosely; the kind's own schema
// validates it), the stored policy the API answers with, and the presenter from a row to that answer.
import { z } from '@hono/zod-openapi';
import type { policies } from '../../db/schema/index.ts';
import { KIND_EXAMPLES } from '../../policy/kinds/examples.ts';
import { ALL_KINDS } from '../../policy/kinds/index.ts';
import { readOnly, timestamp } from './common.ts';
import { type Impact, impactSchema } from './impact.ts';

const acceptedKinds = ALL_KINDS.map((kind) => `${kind.apiVersion} ${kind.kind}`).join(', ');

/** Documented loosely here; the kind's own schema validates it (with Kubernetes' rules) in the handler. */
export const policyManifest = z
  .looseObject({ apiVersion: z.string(), kind: z.string(), metadata: z.looseObject({ name: z.string(), namespace: z.string().optional() }) })
  .openapi('PolicyManifest', {
    description: `A policy object as kubectl would apply it. Accepted kinds: ${acceptedKinds}. Send JSON or YAML (application/yaml).`,
    examples: [...KIND_EXAMPLES],
  });

const yamlBody = { schema: { type: 'string' as const, description: 'The same object in YAML' } };

/**
 * Schemas given as references, not zod: the route validator would otherwise parse every body as JSON.
 * The handler reads JSON or YAML itself and validates with the kind's schema.
 */
export const policyBody = {
  content: {
    'application/json': { schema: { $ref: '#/components/schemas/PolicyManifest' } },
    'application/yaml': yamlBody,
    'application/x-yaml': yamlBody,
  },
  required: true,
};

export const policySchema = z
  .object({
    id: readOnly(z.string()),
    clusterId: readOnly(z.string()),
    apiVersion: z.string(),
    kind: z.string(),
    namespace: z.string().nullable(),
    name: z.string(),
    manifest: z.record(z.string(), z.unknown()).openapi({
      description: 'The object exactly as written (server-set metadata such as resourceVersion left out): applying it again changes nothing',
    }),
    manifestWithDefaults: z.record(z.string(), z.unknown()).openapi({
      description: "The object with the kind's defaults applied (e.g. a NetworkPolicy's policyTypes and port protocol): what is enforced",
      readOnly: true,
    }),
    ruleCount: readOnly(z.number()),
    createdAt: readOnly(timestamp),
    updatedAt: readOnly(timestamp),
  })
  .openapi('Policy');
export type PolicyRecord = z.infer<typeof policySchema>;

/** What a write accepted but read differently from how it is written; the write itself succeeded. */
export const writeWarningSchema = z
  .object({
    path: z.string().openapi({ description: 'Dotted path into the request body, as in a 4xx problem' }),
    message: z.string(),
  })
  .openapi('WriteWarning', {
    description: 'e.g. a Calico net with bits set after its prefix length, read as its network',
    example: { path: 'spec.egress.0.destination.nets.0', message: '"1.2.3.4/16" has bits set after the prefix length: read as the network 1.2.0.0/16' },
  });

export const writeWarningsSchema = z.array(writeWarningSchema).openapi({ description: 'Empty when everything was read as written' });

/**
 * The answer to a create or replace: the stored policy, and the write's warnings when it has any (left
 * out otherwise, so the answer equals a later read of the policy, as a Terraform provider checks).
 */
export const writtenPolicySchema = policySchema
  .extend({ warnings: writeWarningsSchema.optional().openapi({ description: 'Present when something was read differently from how it is written' }) })
  .openapi('WrittenPolicy');

export const promotionSchema = z.object({ enforced: policySchema.nullable(), deleted: z.string().nullable() }).openapi('Promotion');

export function presentPolicy(row: typeof policies.$inferSelect): PolicyRecord {
  return {
    id: row.id,
    clusterId: row.clusterId,
    apiVersion: row.apiVersion,
    kind: row.kind,
    namespace: row.namespace === '' ? null : row.namespace,
    name: row.name,
    manifest: writtenManifestOf(row),
    manifestWithDefaults: row.manifest,
    ruleCount: row.ruleCount,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** A single-policy create or replace with dryRun=true: the object as it would be written, nothing written. */
export const policyDryRunSchema = z
  .object({
    dryRun: z.literal(true),
    apiVersion: z.string(),
    kind: z.string(),
    namespace: z.string().nullable(),
    name: z.string(),
    manifest: z.record(z.string(), z.unknown()).openapi({ description: 'The object as it would be written, with defaults applied' }),
    impact: impactSchema.optional().openapi({ description: 'With impact=true: observed flows whose verdict the change would flip' }),
  })
  .openapi('PolicyDryRun');

export function presentDryRun(
  object: { apiVersion: string; kind: string; namespace: string; name: string; manifest: Record<string, unknown> },
  impact: Impact | undefined,
): z.infer<typeof policyDryRunSchema> {
  return {
    dryRun: true,
    apiVersion: object.apiVersion,
    kind: object.kind,
    namespace: object.namespace === '' ? null : object.namespace,
    name: object.name,
    manifest: object.manifest,
    ...(impact && { impact }),
  };
}

/** What the author wrote; for a row stored before written manifests were kept, its defaulted form. */
export const writtenManifestOf = (row: Pick<typeof policies.$inferSelect, 'manifest' | 'writtenManifest'>) => row.writtenManifest ?? row.manifest;
