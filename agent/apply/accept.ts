// The accept phase, the first of the pipeline (pipeline.ts): policy/bundle/verify.ts decides, this
// supplies what only the agent knows — its trust root, its own tenant and cluster, the revision it
// enforces, its clock and its size limit. Two uses: a bundle fresh from the control plane, and the
// last good bundle read back from disk on start, which is enforced even when expired (see
// reacceptLastGood). Nothing past this phase sees a bundle that has not passed it.
import type { BundlePayload } from '../../policy/bundle/payload.ts';
import type { TrustRoot } from '../../policy/bundle/signing-keys.ts';
import { type BundleRejection, type VerifyResult, verifyBundle } from '../../policy/bundle/verify.ts';

export interface AgentIdentity {
  tenantId: string;
  clusterId: string;
}

export interface AcceptanceContext {
  identity: AgentIdentity;
  trustRoot: TrustRoot;
  /** The revision enforced now (0 when none): only a strictly newer bundle is accepted. */
  appliedRevision: number;
  now: Date;
  maxBytes: number;
}

/** A bundle that passed acceptance: what was received, and what it says. */
export interface VerifiedBundle {
  jws: string;
  payload: BundlePayload;
  revision: number;
}

export const verifiedBundle = (jws: string, payload: BundlePayload): VerifiedBundle => ({ jws, payload, revision: payload.revision });

export type Rejection = { ok: false; code: BundleRejection; message: string };

/** A bundle fresh from the control plane: one issued beyond the clock-skew allowance is refused too. */
export function acceptBundle(jws: string, context: AcceptanceContext): Promise<VerifyResult> {
  return verifyAgainst(jws, context, true);
}

function verifyAgainst(jws: string, context: AcceptanceContext, refuseIssuedInFuture: boolean): Promise<VerifyResult> {
  return verifyBundle(jws, context.trustRoot, {
    tenantId: context.identity.tenantId,
    clusterId: context.identity.clusterId,
    appliedRevision: context.appliedRevision,
    now: context.now,
    refuseIssuedInFuture,
    maxBytes: context.maxBytes,
  });
}

export type LastGoodVerdict = { ok: true; payload: BundlePayload; keyId: string; expired: boolean } | Rejection;

/**
 * Re-verify the bundle the agent enforced before it restarted. Everything is checked as for a new
 * bundle except expiry: the design keeps enforcing the last good bundle while the control plane is
 * unreachable, and dropping all policy because a restart happened during an outage would be worse
 * than enforcing stale policy. An expired one is still enforced, and flagged so it gets reported.
 * (verifyBundle checks expiry last and `now` for nothing else, so verifying "as of" the epoch skips
 * exactly that check.)
 */
export async function reacceptLastGood(jws: string, context: Omit<AcceptanceContext, 'appliedRevision'>): Promise<LastGoodVerdict> {
  // Verified "as of" the epoch, every bundle looks issued in the future: that check is for fresh bundles.
  const result = await verifyAgainst(jws, { ...context, appliedRevision: 0, now: new Date(0) }, false);
  if (!result.ok) return result;
  return { ok: true, payload: result.payload, keyId: result.keyId, expired: isExpired(result.payload, context.now) };
}

export function isExpired(payload: Pick<BundlePayload, 'expiresAt'>, now: Date): boolean {
  return Date.parse(payload.expiresAt) <= now.getTime();
}
