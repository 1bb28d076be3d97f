// The record phase: what the agent enforces, written down once the dataplane answered. The record
// (Enforcement) is the daemon's whole view of enforcement: the applied bundle, the newer one held
// back, the inventory it was applied with, the last apply's program statistics. The transitions are
// pure; saving the last good bundle to disk, so a restart enforces it again, is the one I/O here.
import type { Inventory } from '../../policy/inventory.ts';
import type { ProgramStats } from '../datapath/dataplane.ts';
import type { LastGoodStore } from '../state/last-good.ts';
import type { AgentStatusError } from '../status/reporter.ts';
import type { VerifiedBundle } from './accept.ts';

export interface Enforcement {
  /** Enforced now (the dataplane applied it). */
  readonly applied: VerifiedBundle | undefined;
  /** Verified and newer than `applied`, but not applied yet: no inventory yet, or the dataplane refused it. */
  readonly pending: VerifiedBundle | undefined;
  /** The inventory `applied` was last applied with. */
  readonly appliedInventory: Inventory | undefined;
  /** The last successful apply's statistics, by endpoint. */
  readonly programs: Readonly<Record<string, ProgramStats>>;
  /** The JWS the last good store holds, so an unchanged bundle is not written again. */
  readonly savedJws: string | undefined;
}

export const NOTHING_ENFORCED: Enforcement = { applied: undefined, pending: undefined, appliedInventory: undefined, programs: {}, savedJws: undefined };

/** The revision to ask the control plane past: what is applied, or verified and waiting to be. */
export function knownRevision(enforcement: Enforcement): number {
  return Math.max(enforcement.applied?.revision ?? 0, enforcement.pending?.revision ?? 0);
}

/** Verified, not applied (yet): it is tried again when the inventory changes or on a timer. */
export function recordHeld(enforcement: Enforcement, bundle: VerifiedBundle): Enforcement {
  return { ...enforcement, pending: bundle };
}

/**
 * The dataplane applied `bundle` over `inventory`: a new bundle, or the applied one again over a new
 * inventory. A held bundle newer than it stays held.
 */
export function recordApplied(enforcement: Enforcement, bundle: VerifiedBundle, inventory: Inventory, programs: Record<string, ProgramStats>): Enforcement {
  const pending = enforcement.pending && enforcement.pending.revision > bundle.revision ? enforcement.pending : undefined;
  return { ...enforcement, applied: bundle, pending, appliedInventory: inventory, programs };
}

export function recordSaved(enforcement: Enforcement, bundle: VerifiedBundle): Enforcement {
  return { ...enforcement, savedJws: bundle.jws };
}

/**
 * Saves the bundle as the last good one. A failure leaves enforcement right (only a restart would
 * fall back to an older bundle): it comes back as a condition to report, never thrown.
 */
export async function saveLastGood(store: LastGoodStore, bundle: VerifiedBundle, now: Date): Promise<{ ok: true } | { ok: false; error: AgentStatusError }> {
  try {
    await store.save({ revision: bundle.revision, jws: bundle.jws, appliedAt: now });
    return { ok: true };
  } catch (error) {
    return {
      ok: false,
      error: { code: 'STATE_WRITE_FAILED', message: `cannot save the last good bundle: ${(error as Error).message}`, revision: bundle.revision },
    };
  }
}
