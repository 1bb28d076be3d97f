// What a signed bundle says. The agent trusts nothing in it until the signature verified, then checks
// every binding field against its own identity and history (see verify.ts).
import { z } from 'zod';
import { policySetSchema } from '../ir.ts';

export const BUNDLE_API_VERSION = 'palisade.dev/v1';
/** JWS `typ`, so a token signed by the same key for another purpose cannot pass as a bundle. */
export const BUNDLE_JWS_TYPE = 'palisade-bundle+jws';

export const bundlePayloadSchema = z.strictObject({
  apiVersion: z.literal(BUNDLE_API_VERSION),
  kind: z.literal('Bundle'),
  tenantId: z.uuid(),
  clusterId: z.uuid(),
  revision: z.number().int().positive(),
  issuedAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  /** SHA-256 of the canonical policy set alone; equal hashes mean equal enforcement. */
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
  policy: policySetSchema,
});
export type BundlePayload = z.infer<typeof bundlePayloadSchema>;
