// The node daemon: restore the last good bundle and hand it to the dataplane, then loop — wait for a
// bundle (long-poll) or an inventory change, verify, apply, persist, report. Every state change runs
// through one queue, so applies never overlap and each sees the state the previous one left.
//
// What the agent enforces only ever moves forward to a bundle that passed the acceptance test and
// that the dataplane applied. A refused bundle, a failed compile, an unreachable control plane or a
// broken inventory leave the current enforcement in place and become conditions in the status report.
import type { Logger } from 'pino';
import type { BundlePayload } from '../policy/bundle/payload.ts';
import { acceptBundle, isExpired, reacceptLastGood, type AgentIdentity } from './bundle/acceptance.ts';
import { pollBundles, type BundleDisposition, type FetchErrorCode, type PollOptions } from './bundle/client.ts';
import type { AgentConfig } from './config.ts';
import type { TokenProvider } from './credentials.ts';
import { applySafely, type ApplyReport, type Dataplane, type ProgramStats } from './dataplane.ts';
import { inventoryHash, type Inventory } from '../policy/inventory.ts';
import type { InventorySource, InventoryState } from './inventory/source.ts';
import type { LastGoodStore } from './state/last-good.ts';
import { Conditions } from './status/conditions.ts';
import { explainLocally, type ExplainQuery, type ExplainResult } from './explain/explain.ts';
import { createInventoryReporter, type InventoryReporter } from './status/inventory-reporter.ts';
import { createStatusReporter, type StatusReporter, type StatusSnapshot } from './status/reporter.ts';
import type { TrustRootSource } from './trust/trust-root.ts';
import { AGENT_VERSION } from './version.ts';

export interface DaemonOptions {
  config: Pick<
    AgentConfig,
    'controlPlaneUrl' | 'tenantId' | 'clusterId' | 'nodeName' | 'maxBundleBytes' | 'waitSeconds' | 'statusIntervalSeconds'
  >;
  token: TokenProvider;
  trustRoot: TrustRootSource;
  inventory: InventorySource;
  dataplane: Dataplane;
  lastGood: LastGoodStore;
  logger: Logger;
  clock?: () => Date;
  fetch?: typeof fetch;
  /** Backoff and pacing of the long-poll (tests shorten them). */
  poll?: Pick<PollOptions, 'errorBackoff' | 'rejectBackoff' | 'minPollIntervalMs' | 'random' | 'graceMs'>;
  /** How often a verified bundle that could not be applied yet is tried again. */
  retryPendingMs?: number;
}

/** A verified bundle: what was received, and what it says. */
interface Verified {
  jws: string;
  payload: BundlePayload;
  revision: number;
}

export type BundleOutcome =
  | { disposition: 'applied'; revision: number }
  | { disposition: 'held'; revision: number; reason: 'NO_INVENTORY' | 'APPLY_FAILED' }
  | { disposition: 'rejected'; code: string; message: string };

export class AgentDaemon {
  private readonly identity: AgentIdentity;
  private readonly log: Logger;
  private readonly clock: () => Date;
  private readonly conditions = new Conditions();
  private readonly reporter: StatusReporter;
  private readonly inventoryReporter: InventoryReporter;
  private inventoryTimer: NodeJS.Timeout | undefined;

  /** Enforced now (the dataplane applied it). */
  private applied: Verified | undefined;
  /** Verified and newer than `applied`, but not applied yet: no inventory yet, or the dataplane refused it. */
  private pending: Verified | undefined;
  private appliedInventory: Inventory | undefined;
  private savedJws: string | undefined;
  private programs: Record<string, ProgramStats> = {};

  private queue: Promise<unknown> = Promise.resolve();
  private readonly abort = new AbortController();
  private polling: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private lastFetchFailure: string | undefined;
  private phase: 'new' | 'restored' | 'running' | 'stopping' | 'stopped' = 'new';

  constructor(private readonly options: DaemonOptions) {
    const { config } = options;
    this.identity = { tenantId: config.tenantId, clusterId: config.clusterId };
    this.log = options.logger;
    this.clock = options.clock ?? (() => new Date());
    this.reporter = createStatusReporter({
      controlPlaneUrl: config.controlPlaneUrl,
      token: options.token,
      nodeName: config.nodeName,
      agentVersion: AGENT_VERSION,
      snapshot: () => this.status(),
      logger: this.log.child({ component: 'status' }),
      intervalMs: config.statusIntervalSeconds * 1000,
      fetch: options.fetch,
    });
    this.inventoryReporter = createInventoryReporter({
      controlPlaneUrl: config.controlPlaneUrl,
      token: options.token,
      nodeName: config.nodeName,
      logger: this.log.child({ component: 'inventory-report' }),
      fetch: options.fetch,
    });
  }

  /** The revision enforced now; 0 when none is. */
  get appliedRevision(): number {
    return this.applied?.revision ?? 0;
  }

  /**
   * Start-up, in the order that leaves no gap: the dataplane adopts what the previous process left
   * attached; the last good bundle is verified again and applied as soon as there is an inventory.
   * No call to the control plane happens before this is done. (start() does it first; tests call it
   * alone to drive offerBundle without a poll loop.)
   */
  async restore(): Promise<void> {
    if (this.phase !== 'new') throw new Error('the daemon restores once, before it starts');
    this.phase = 'restored';
    const { dataplane } = this.options;
    if (dataplane.adopt) {
      try {
        await dataplane.adopt();
      } catch (error) {
        this.conditions.set('dataplane', { code: 'ADOPT_FAILED', message: (error as Error).message });
        this.log.error({ err: error }, 'dataplane could not adopt the programs of the previous agent');
      }
    }
    await this.serially(() => this.restoreLastGood());
    this.unsubscribe = this.options.inventory.onChange((state) => void this.serially(() => this.onInventory(state)));
    await this.serially(() => this.onInventory(this.options.inventory.current()));
  }

  /** Restores (if not done yet), then long-polls for bundles and reports status until stop(). */
  async start(): Promise<void> {
    if (this.phase === 'new') await this.restore();
    if (this.phase !== 'restored') throw new Error('the daemon starts once');
    this.phase = 'running';
    this.reporter.start();
    void this.reporter.report();
    this.retryTimer = setInterval(() => void this.serially(() => this.retryPending()), this.options.retryPendingMs ?? 30_000);
    this.retryTimer.unref();
    // Delivered when its hash changes (below, after applies and inventory changes); the timer retries a failed post.
    this.inventoryTimer = setInterval(() => this.reportInventory(), this.options.config.statusIntervalSeconds * 1000);
    this.inventoryTimer.unref();
    this.reportInventory();
    this.polling = pollBundles(
      {
        controlPlaneUrl: this.options.config.controlPlaneUrl,
        token: this.options.token,
        waitSeconds: this.options.config.waitSeconds,
        maxBytes: this.options.config.maxBundleBytes,
        fetch: this.options.fetch,
        ...this.options.poll,
      },
      {
        knownRevision: () => this.knownRevision(),
        onBundle: async (bundle) => dispositionOf(await this.offerBundle(bundle.jws, bundle.claimedRevision)),
        onFailure: (failure) => this.onFetchFailure(failure),
        onReachable: () => this.onReachable(),
      },
      this.abort.signal,
    );
  }

  /**
   * Stops polling and reporting and lets an apply in progress finish. Enforcement stays: the
   * dataplane's close() releases handles and leaves its programs attached.
   */
  async stop(): Promise<void> {
    if (this.phase === 'stopped' || this.phase === 'stopping') return;
    this.phase = 'stopping';
    this.abort.abort();
    clearInterval(this.retryTimer);
    clearInterval(this.inventoryTimer);
    this.unsubscribe?.();
    await this.polling;
    await this.queue;
    await this.reporter.stop();
    await this.options.inventory.close();
    await this.options.dataplane.close();
    this.phase = 'stopped';
    this.log.info({ appliedRevision: this.appliedRevision }, 'agent stopped; enforcement left in place');
  }

  /** A bundle as received from the control plane: verify it and, if it passes, apply it. */
  offerBundle(jws: string, claimedRevision?: number): Promise<BundleOutcome> {
    return this.serially(async () => {
      const verdict = await acceptBundle(jws, {
        identity: this.identity,
        trustRoot: await this.options.trustRoot.current(),
        appliedRevision: this.knownRevision(),
        now: this.clock(),
        maxBytes: this.options.config.maxBundleBytes,
      });
      if (!verdict.ok) {
        this.conditions.set('bundle', { code: verdict.code, message: verdict.message, ...(claimedRevision !== undefined ? { revision: claimedRevision } : {}) });
        this.log.warn({ code: verdict.code, reason: verdict.message, claimedRevision, appliedRevision: this.appliedRevision }, 'bundle refused; enforcement unchanged');
        void this.reporter.report();
        return { disposition: 'rejected', code: verdict.code, message: verdict.message };
      }
      this.conditions.clear('bundle');
      const bundle = { jws, payload: verdict.payload, revision: verdict.payload.revision };
      this.log.info({ revision: bundle.revision, keyId: verdict.keyId, bytes: Buffer.byteLength(jws) }, 'bundle verified');
      return this.applyNew(bundle);
    });
  }

  /** What the next status report says. */
  status(): StatusSnapshot {
    const errors = this.conditions.list();
    const applied = this.applied;
    if (applied && isExpired(applied.payload, this.clock())) {
      errors.push({
        code: 'ENFORCING_EXPIRED_BUNDLE',
        message: `revision ${applied.revision} expired at ${applied.payload.expiresAt}; it stays enforced until a newer bundle is accepted`,
        revision: applied.revision,
      });
    }
    return {
      appliedRevision: applied?.revision ?? null,
      inventoryHash: this.appliedInventory ? inventoryHash(this.appliedInventory) : null,
      errors,
      programs: this.livePrograms(),
    };
  }

  /** The last apply's program statistics with the dataplane's current counters merged in. */
  private livePrograms(): Record<string, ProgramStats> {
    let live: Record<string, ProgramStats> = {};
    try {
      live = (this.applied && this.options.dataplane.liveStats?.()) || {};
    } catch (error) {
      this.log.warn({ err: error }, 'dataplane counters unreadable; the report carries the last apply\'s');
    }
    const merged = { ...this.programs };
    for (const [endpoint, stats] of Object.entries(live)) if (merged[endpoint]) merged[endpoint] = { ...merged[endpoint], ...stats };
    return merged;
  }

  /**
   * Why this node lets a connection through or drops it: the reference evaluation of what it enforces
   * now (applied bundle, the inventory it was applied with). agent/explain/server.ts serves it locally.
   */
  explain(query: ExplainQuery): ExplainResult {
    const applied = this.applied;
    const inventory = this.appliedInventory ?? this.options.inventory.current().inventory;
    return explainLocally({ revision: applied?.revision ?? null, policy: applied?.payload.policy ?? { tiers: [] } }, inventory, query);
  }

  /** Sends a status report now (also done after every apply attempt and on a timer). */
  reportStatus() {
    return this.reporter.report();
  }

  /**
   * Sends the inventory enforced with (the one last applied; before any apply, the current one) to
   * the control plane for explanations, if its hash changed. Never awaited, never fatal.
   */
  private reportInventory(): void {
    if (this.phase !== 'running') return; // no call to the control plane before start(), none after stop()
    const inventory = this.appliedInventory ?? this.options.inventory.current().inventory;
    if (!inventory) return;
    void this.inventoryReporter.offer(inventory).catch((error: unknown) => this.log.warn({ err: error }, 'inventory report failed'));
  }

  private knownRevision(): number {
    return Math.max(this.applied?.revision ?? 0, this.pending?.revision ?? 0);
  }

  private serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.catch((error: unknown) => this.log.error({ err: error }, 'agent step failed'));
    return run;
  }

  private async restoreLastGood(): Promise<void> {
    const loaded = await this.options.lastGood.load();
    if (!loaded.ok) {
      this.conditions.set('state', { code: loaded.code, message: loaded.message });
      this.log.error({ code: loaded.code, reason: loaded.message }, 'last good bundle unreadable; starting without one');
      return;
    }
    if (!loaded.record) {
      this.log.info('no last good bundle on this node yet');
      return;
    }
    const record = loaded.record;
    const verdict = await reacceptLastGood(record.jws, {
      identity: this.identity,
      trustRoot: await this.options.trustRoot.current(),
      now: this.clock(),
      maxBytes: this.options.config.maxBundleBytes,
    });
    if (!verdict.ok) {
      const message = `last good bundle (revision ${record.revision}) refused on re-verification: ${verdict.code}: ${verdict.message}`;
      this.conditions.set('state', { code: 'LAST_GOOD_REFUSED', message, revision: record.revision });
      this.log.error({ code: verdict.code, reason: verdict.message, revision: record.revision }, 'last good bundle refused; not enforcing it');
      return;
    }
    if (verdict.expired) {
      this.log.warn({ revision: verdict.payload.revision, expiresAt: verdict.payload.expiresAt }, 'last good bundle has expired; enforcing it until a newer one is accepted');
    }
    this.savedJws = record.jws;
    this.pending = { jws: record.jws, payload: verdict.payload, revision: verdict.payload.revision };
    this.log.info({ revision: this.pending.revision }, 'last good bundle restored');
  }

  /** A verified bundle newer than what is applied: apply it, or hold it until it can be. */
  private async applyNew(bundle: Verified): Promise<BundleOutcome> {
    const inventory = this.options.inventory.current().inventory;
    if (!inventory) {
      this.pending = bundle;
      this.log.warn({ revision: bundle.revision }, 'no inventory yet; the bundle waits for one');
      return { disposition: 'held', revision: bundle.revision, reason: 'NO_INVENTORY' };
    }
    const report = await this.applyToDataplane(bundle, inventory);
    if (!report.applied) {
      this.pending = bundle;
      void this.reporter.report();
      return { disposition: 'held', revision: bundle.revision, reason: 'APPLY_FAILED' };
    }
    this.applied = bundle;
    this.pending = undefined;
    this.conditions.clear('state');
    // Reported only now, so the report names the revision just applied, not the one before it.
    void this.reporter.report();
    await this.persist(bundle);
    return { disposition: 'applied', revision: bundle.revision };
  }

  private async applyToDataplane(bundle: Verified, inventory: Inventory): Promise<ApplyReport> {
    const started = performance.now();
    const report = await applySafely(this.options.dataplane, { bundle: bundle.payload, inventory });
    const ms = Math.round(performance.now() - started);
    this.conditions.set(
      'apply',
      report.errors.map((error) => ({ ...error, revision: bundle.revision })),
    );
    if (report.applied) {
      this.programs = report.programs;
      this.appliedInventory = inventory;
      this.reportInventory();
      this.log.info({ revision: bundle.revision, endpoints: Object.keys(report.programs).length, errors: report.errors.length, ms }, 'bundle applied');
    } else {
      this.log.error({ revision: bundle.revision, errors: report.errors, ms }, 'dataplane refused the bundle; previous enforcement stays in place');
    }
    return report;
  }

  private async persist(bundle: Verified): Promise<void> {
    if (this.savedJws === bundle.jws) return;
    try {
      await this.options.lastGood.save({ revision: bundle.revision, jws: bundle.jws, appliedAt: this.clock() });
      this.savedJws = bundle.jws;
    } catch (error) {
      // Enforcement is right; only a restart would fall back to an older bundle. Report, carry on.
      this.conditions.set('state', { code: 'STATE_WRITE_FAILED', message: `cannot save the last good bundle: ${(error as Error).message}`, revision: bundle.revision });
      this.log.error({ err: error, revision: bundle.revision }, 'cannot save the last good bundle');
    }
  }

  /** Pods or namespaces changed (or the source reports trouble): re-apply so selectors see the new set. */
  private async onInventory(state: InventoryState): Promise<void> {
    this.conditions.set('inventory', state.error);
    if (state.error) this.log.warn({ code: state.error.code, reason: state.error.message }, 'inventory update unusable; keeping the previous one');
    const inventory = state.inventory;
    if (!inventory || inventory === this.appliedInventory) return;
    if (!this.applied && !this.pending) this.reportInventory(); // nothing to apply it with: what explanations see is this one
    if (this.pending) {
      const outcome = await this.applyNew(this.pending);
      if (outcome.disposition === 'applied') return;
    }
    if (this.applied) {
      // The dataplane keeps the programs it had if this fails: the same bundle over the older inventory.
      await this.applyToDataplane(this.applied, inventory);
      void this.reporter.report();
    }
  }

  private async retryPending(): Promise<void> {
    if (this.phase === 'stopping' || this.phase === 'stopped' || !this.pending || !this.options.inventory.current().inventory) return;
    this.log.info({ revision: this.pending.revision }, 'trying the held bundle again');
    await this.applyNew(this.pending);
  }

  private onFetchFailure(failure: { code: FetchErrorCode; message: string; status?: number; claimedRevision?: number }): void {
    if (failure.code === 'TOO_LARGE') {
      // Refused before it was even read whole: a bundle rejection like any other.
      const revision = failure.claimedRevision;
      this.conditions.set('bundle', { code: 'TOO_LARGE', message: failure.message, ...(revision !== undefined ? { revision } : {}) });
      this.log.warn({ reason: failure.message, claimedRevision: revision }, 'bundle refused; enforcement unchanged');
      void this.reporter.report();
      return;
    }
    const code = `BUNDLE_FETCH_${failure.code}`;
    this.conditions.set('fetch', { code, message: failure.message });
    const key = `${code}:${failure.message}`;
    // The same failure every backoff step would flood the log; say it once, then quietly.
    if (key !== this.lastFetchFailure) this.log.warn({ code, reason: failure.message, status: failure.status }, 'cannot fetch bundles; enforcing the last good bundle meanwhile');
    else this.log.debug({ code }, 'still cannot fetch bundles');
    this.lastFetchFailure = key;
  }

  private onReachable(): void {
    if (this.lastFetchFailure) this.log.info('control plane reachable again');
    this.lastFetchFailure = undefined;
    this.conditions.clear('fetch');
  }
}

function dispositionOf(outcome: BundleOutcome): BundleDisposition {
  return outcome.disposition === 'applied' ? 'accepted' : outcome.disposition;
}
