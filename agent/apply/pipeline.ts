// A bundle's path from the wire to enforcement, one way through named phases:
//
//   accept  (accept.ts)   verify signature, tenant, cluster, revision, expiry, size
//   admit   (admit.ts)    only features the chosen dataplane supports (without an inventory yet,
//                         the bundle is held until one comes)
//   enforce (enforce.ts)  the dataplane applies it; the eBPF one in its own phases:
//                         plan -> compile -> load -> swap (agent/datapath/ebpf-dataplane.ts)
//   record  (record.ts)   what is enforced now; the last good bundle saved for the next start
//
// A bundle that stops at any phase leaves the current enforcement in place and becomes a condition
// in the status report. The daemon (agent/daemon.ts) runs these one at a time from its queue, so
// each run sees the record the previous one left.
import type { Logger } from 'pino';
import type { BundleRejection } from '../../policy/bundle/verify.ts';
import type { Inventory } from '../../policy/inventory.ts';
import type { Dataplane } from '../datapath/dataplane.ts';
import type { AgentMetricsRecorder, ApplyPhase } from '../metrics/agent-metrics.ts';
import type { LastGoodStore } from '../state/last-good.ts';
import type { Conditions } from '../status/conditions.ts';
import type { TrustRootSource } from '../trust/trust-root.ts';
import { type AgentIdentity, acceptBundle, type VerifiedBundle, verifiedBundle } from './accept.ts';
import { admit } from './admit.ts';
import { enforce } from './enforce.ts';
import { type Enforcement, knownRevision, recordApplied, recordHeld, recordSaved, saveLastGood } from './record.ts';

export interface PipelineContext {
  identity: AgentIdentity;
  trustRoot: TrustRootSource;
  maxBundleBytes: number;
  dataplane: Dataplane;
  lastGood: LastGoodStore;
  conditions: Conditions;
  log: Logger;
  clock: () => Date;
  /** The daemon's record of what is enforced, written as each run goes, so reports sent meanwhile see it. */
  state: { enforcement: Enforcement };
  /** The inventory the source holds now, if it has one yet. */
  currentInventory(): Inventory | undefined;
  /** Ask for a status report (never awaited). */
  reportStatus(): void;
  /** Offer the inventory now enforced with to the control plane (never awaited). */
  reportInventory(): void;
  /** Where phase durations and refusals are recorded, when the agent serves metrics. */
  metrics?: AgentMetricsRecorder;
}

/** Runs one phase, recording how long it took (a phase that fails too). */
async function timed<T>(context: PipelineContext, phase: ApplyPhase, run: () => T | Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await run();
  } finally {
    context.metrics?.observePhase(phase, (performance.now() - started) / 1000);
  }
}

export type BundleOutcome =
  | { disposition: 'applied'; revision: number }
  | { disposition: 'held'; revision: number; reason: 'NO_INVENTORY' | 'APPLY_FAILED' }
  | { disposition: 'rejected'; code: BundleRejection; message: string };

/** A bundle as received from the control plane, through every phase. */
export async function offer(jws: string, claimedRevision: number | undefined, context: PipelineContext): Promise<BundleOutcome> {
  const { conditions, log } = context;
  if (claimedRevision !== undefined) context.metrics?.revisionOffered(claimedRevision);
  const trustRoot = await context.trustRoot.current();
  const verdict = await timed(context, 'accept', () =>
    acceptBundle(jws, {
      identity: context.identity,
      trustRoot,
      appliedRevision: knownRevision(context.state.enforcement),
      now: context.clock(),
      maxBytes: context.maxBundleBytes,
    }),
  );
  if (!verdict.ok) {
    context.metrics?.verificationFailed(verdict.code);
    conditions.set('bundle', { code: verdict.code, message: verdict.message, ...(claimedRevision !== undefined ? { revision: claimedRevision } : {}) });
    log.warn(
      { code: verdict.code, reason: verdict.message, claimedRevision, appliedRevision: context.state.enforcement.applied?.revision ?? 0 },
      'bundle refused; enforcement unchanged',
    );
    context.reportStatus();
    return { disposition: 'rejected', code: verdict.code, message: verdict.message };
  }
  conditions.clear('bundle');
  const bundle = verifiedBundle(jws, verdict.payload);
  context.metrics?.revisionOffered(bundle.revision);
  log.info({ revision: bundle.revision, keyId: verdict.keyId, bytes: Buffer.byteLength(jws) }, 'bundle verified');
  return applyVerified(bundle, context);
}

/** A verified bundle newer than what is applied: apply it and record it, or hold it until it can be. */
export async function applyVerified(bundle: VerifiedBundle, context: PipelineContext): Promise<BundleOutcome> {
  const { state } = context;
  const inventory = context.currentInventory();
  if (!inventory) {
    state.enforcement = recordHeld(state.enforcement, bundle);
    context.log.warn({ revision: bundle.revision }, 'no inventory yet; the bundle waits for one');
    return { disposition: 'held', revision: bundle.revision, reason: 'NO_INVENTORY' };
  }
  if (!(await applyWith(bundle, inventory, context))) {
    state.enforcement = recordHeld(state.enforcement, bundle);
    context.reportStatus();
    return { disposition: 'held', revision: bundle.revision, reason: 'APPLY_FAILED' };
  }
  context.conditions.clear('state');
  // Reported only now, so the report names the revision just applied, not the one before it.
  context.reportStatus();
  if (state.enforcement.savedJws !== bundle.jws) {
    const saved = await timed(context, 'record', () => saveLastGood(context.lastGood, bundle, context.clock()));
    if (saved.ok) state.enforcement = recordSaved(state.enforcement, bundle);
    else {
      context.conditions.set('state', saved.error);
      context.log.error({ code: saved.error.code, reason: saved.error.message, revision: bundle.revision }, 'cannot save the last good bundle');
    }
  }
  return { disposition: 'applied', revision: bundle.revision };
}

/** The applied bundle again over a new inventory (pods came or went); on failure the dataplane keeps what it had. */
export async function reapply(inventory: Inventory, context: PipelineContext): Promise<void> {
  const applied = context.state.enforcement.applied;
  if (!applied) return;
  await applyWith(applied, inventory, context);
  context.reportStatus();
}

/** admit -> enforce -> record, for one bundle over one inventory. True when it is enforced now. */
async function applyWith(bundle: VerifiedBundle, inventory: Inventory, context: PipelineContext): Promise<boolean> {
  const { log, state } = context;
  const started = performance.now();
  const admission = await timed(context, 'admit', () => admit(bundle.payload, inventory, context.dataplane.supportedIrFeatures));
  const report = admission.admitted
    ? await timed(context, 'enforce', () => enforce(context.dataplane, admission.input))
    : { applied: false, programs: {}, errors: admission.errors };
  const ms = Math.round(performance.now() - started);
  context.conditions.set(
    'apply',
    report.errors.map((error) => ({ ...error, revision: bundle.revision })),
  );
  if (!report.applied) {
    log.error({ revision: bundle.revision, errors: report.errors, ms }, 'dataplane refused the bundle; previous enforcement stays in place');
    return false;
  }
  state.enforcement = recordApplied(state.enforcement, bundle, inventory, report.programs);
  context.reportInventory();
  log.info({ revision: bundle.revision, endpoints: Object.keys(report.programs).length, errors: report.errors.length, ms }, 'bundle applied');
  return true;
}
