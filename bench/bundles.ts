// Signed bundles as the control plane issues them (policy/bundle: canonical JSON, Ed25519 JWS), made
// here with a throwaway key, and the agent's acceptance check of one (agent/apply/accept.ts),
// so the attach timing starts where the agent's does: at the JWS bytes.
import { randomUUID } from 'node:crypto';
import { type AgentIdentity, acceptBundle } from '../agent/apply/accept.ts';
import { DEFAULT_MAX_BUNDLE_BYTES } from '../agent/config.ts';
import { BUNDLE_API_VERSION, type BundlePayload } from '../policy/bundle/payload.ts';
import { contentHashOf, signBundle } from '../policy/bundle/sign.ts';
import { activeSigningKey, newKeyRing, type SigningKey, type TrustRoot, trustRootOf } from '../policy/bundle/signing-keys.ts';
import type { PolicySet } from '../policy/ir.ts';

export interface BundleIssuer {
  identity: AgentIdentity;
  trustRoot: TrustRoot;
  /** The payload of a bundle holding `policy` at `revision` (what apply() takes once verified). */
  payload(revision: number, policy: PolicySet): BundlePayload;
  /** The compact JWS of that payload. */
  sign(revision: number, policy: PolicySet): Promise<string>;
  /** The agent's acceptance check (signature, identity, revision, expiry, size); throws if refused. */
  verify(jws: string, appliedRevision: number): Promise<BundlePayload>;
}

export async function createBundleIssuer(): Promise<BundleIssuer> {
  const now = new Date();
  const ring = await newKeyRing(now);
  const key: SigningKey = await activeSigningKey(ring);
  const trustRoot = trustRootOf(ring, now);
  const identity = { tenantId: randomUUID(), clusterId: randomUUID() };
  const payload = (revision: number, policy: PolicySet): BundlePayload => {
    const issuedAt = new Date();
    return {
      apiVersion: BUNDLE_API_VERSION,
      kind: 'Bundle',
      ...identity,
      revision,
      issuedAt: issuedAt.toISOString(),
      expiresAt: new Date(issuedAt.getTime() + 24 * 3_600_000).toISOString(),
      contentHash: contentHashOf(policy),
      policy,
    };
  };
  return {
    identity,
    trustRoot,
    payload,
    async sign(revision, policy) {
      return (await signBundle(payload(revision, policy), key)).jws;
    },
    async verify(jws, appliedRevision) {
      const verdict = await acceptBundle(jws, { identity, trustRoot, appliedRevision, now: new Date(), maxBytes: DEFAULT_MAX_BUNDLE_BYTES });
      if (!verdict.ok) throw new Error(`bundle refused: ${verdict.code}: ${verdict.message}`);
      return verdict.payload;
    },
  };
}
