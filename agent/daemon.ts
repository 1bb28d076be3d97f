// The node daemon's lifecycle: restore the last good bundle, then loop — wait for a bundle
// (long-poll) or an inventory change and run it through the pipeline (agent/apply/pipeline.ts:
// accept -> admit -> enforce -> record), report status on a timer, and stop without touching
// enforcement. Every state change runs through one queue, so pipeline runs never overlap and each
// sees the record the previous one left.
//
// What the agent enforces only ever moves forward to a bundle that passed the acceptance test and
// that the dataplane applied. A refused bundle, a failed compile, an unreachable control plane or a
// broken inventory leave the current enforcement in place and become conditions in the status report.
import type { Logger } from 'pino';
import { inventoryHash } from '../policy/inventory.ts';
import { isExpired } from './apply/accept.ts';
import { applyVerified, type BundleOutcome, offer, type PipelineContext, reapply } from './apply/pipeline.ts';
import { type Enforcement, knownRevision, NOTHING_ENFORCED } from './apply/record.ts';
import { restoreLastGood } from './apply/restore.ts';
import { type BundleDisposition, type FetchErrorCode, type PollOptions, pollBundles } from './bundle/client.ts';
import type { AgentConfig } from './config.ts';
import type { TokenProvider } from './credentials.ts';
import type { Dataplane, ProgramStats } from './datapath/dataplane.ts';
import { BUNDLE_FETCH_ERROR_CODES } from './errors.ts';
import { type ExplainQuery, type ExplainResult, explainLocally } from './explain/explain.ts';
import type { InventorySource, InventoryState } from './inventory/source.ts';
import type { MemoryReleaser } from './memory/release.ts';
import type { AgentMetricsRecorder, RevisionView } from './metrics/agent-metrics.ts';
import type { LastGoodStore } from './state/last-good.ts';
import { Conditions } from './status/conditions.ts';
import { createInventoryReporter, type InventoryReporter } from './status/inventory-reporter.ts';
import { createStatusReporter, type StatusReporter, type StatusSnapshot } from './status/reporter.ts';
import type { TrustRootSource } from './trust/trust-root.ts';
import { AGENT_VERSION } from './version.ts';

export interface DaemonOptions {
  config: Pick<AgentConfig, 'controlPlaneUrl' | 'tenantId' | 'clusterId' | 'nodeName' | 'maxBundleBytes' | 'waitSeconds' | 'statusIntervalSeconds'>;
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
  /** Where the pipeline records phase durations and refusals (agent/metrics). */
  metrics?: AgentMetricsRecorder;
  /** Told when pipeline runs start and end, so an apply's garbage goes back to the node once they are over. */
  memory?: MemoryReleaser;
}

type Lifecycle = 'new' | 'restored' | 'running' | 'stopping' | 'stopped';

/** Everything about the daemon that changes, in one place. */
interface DaemonState {
  lifecycle: Lifecycle;
  /** What is enforced (agent/apply/record.ts); pipeline runs write it. */
  enforcement: Enforcement;
  /** The fetch failure last logged (code and message), so the same one every backoff step is logged once. */
  lastFetchFailure: string | undefined;
  /** The tail of the queue every state change runs through. */
  queue: Promise<unknown>;
  /** What start() set going, for stop() to end. */
  running: {
    polling?: Promise<void>;
    retryTimer?: NodeJS.Timeout;
    inventoryTimer?: NodeJS.Timeout;
    unsubscribe?: () => void;
  };
}

export class AgentDaemon {
  private readonly log: Logger;
  private readonly clock: () => Date;
  private readonly conditions = new Conditions();
  private readonly reporter: StatusReporter;
  private readonly inventoryReporter: InventoryReporter;
  private readonly pipeline: PipelineContext;
  private readonly abort = new AbortController();
  private readonly state: DaemonState = { lifecycle: 'new', enforcement: NOTHING_ENFORCED, lastFetchFailure: undefined, queue: Promise.resolve(), running: {} };

  constructor(private readonly options: DaemonOptions) {
    const { config } = options;
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
    this.pipeline = {
      identity: { tenantId: config.tenantId, clusterId: config.clusterId },
      trustRoot: options.trustRoot,
      maxBundleBytes: config.maxBundleBytes,
      dataplane: options.dataplane,
      lastGood: options.lastGood,
      conditions: this.conditions,
      log: this.log,
      clock: this.clock,
      state: this.state,
      currentInventory: () => options.inventory.current().inventory,
      reportStatus: () => void this.reporter.report(),
      reportInventory: () => this.reportInventory(),
      ...(options.metrics && { metrics: options.metrics }),
    };
  }

  /** The revision enforced now; 0 when none is. */
  get appliedRevision(): number {
    return this.state.enforcement.applied?.revision ?? 0;
  }

  /** Revisions for the metrics: what is enforced, and the newest verified bundle with its issue time. */
  revisionView(): RevisionView {
    const { applied, pending } = this.state.enforcement;
    const newest = pending && (!applied || pending.revision > applied.revision) ? pending : applied;
    return {
      appliedRevision: applied?.revision ?? 0,
      newestVerified: newest && { revision: newest.revision, issuedAt: new Date(newest.payload.issuedAt) },
    };
  }

  /**
   * Start-up, in the order that leaves no gap: the dataplane adopts what the previous process left
   * attached while the last good bundle is verified again (neither needs the other; the eBPF
   * dataplane creates its maps off this thread meanwhile, ~100 ms of conntrack table on a node without
   * pins), and the bundle is applied once both are done and there is an inventory.
   * No call to the control plane happens before this is done. (start() does it first; tests call it
   * alone to drive offerBundle without a poll loop.)
   */
  async restore(): Promise<void> {
    if (this.state.lifecycle !== 'new') throw new Error('the daemon restores once, before it starts');
    this.state.lifecycle = 'restored';
    const adopting = this.adoptDataplane();
    await this.serially(() => restoreLastGood(this.pipeline));
    await adopting;
    this.state.running.unsubscribe = this.options.inventory.onChange((state) => void this.serially(() => this.onInventory(state)));
    await this.serially(() => this.onInventory(this.options.inventory.current()));
  }

  /** What the previous process left attached, taken over; a failure is a condition, not a stop. */
  private async adoptDataplane(): Promise<void> {
    const { dataplane } = this.options;
    if (!dataplane.adopt) return;
    try {
      await dataplane.adopt();
    } catch (error) {
      this.conditions.set('dataplane', { code: 'ADOPT_FAILED', message: (error as Error).message });
      this.log.error({ err: error }, 'dataplane could not adopt the programs of the previous agent');
    }
  }

  /** Restores (if not done yet), then long-polls for bundles and reports status until stop(). */
  async start(): Promise<void> {
    if (this.state.lifecycle === 'new') await this.restore();
    if (this.state.lifecycle !== 'restored') throw new Error('the daemon starts once');
    this.state.lifecycle = 'running';
    const { config } = this.options;
    const running = this.state.running;
    this.reporter.start();
    void this.reporter.report();
    running.retryTimer = setInterval(() => void this.serially(() => this.retryPending()), this.options.retryPendingMs ?? 30_000);
    running.retryTimer.unref();
    // Delivered when its hash changes (after applies and inventory changes); the timer retries a failed post.
    running.inventoryTimer = setInterval(() => this.reportInventory(), config.statusIntervalSeconds * 1000);
    running.inventoryTimer.unref();
    this.reportInventory();
    running.polling = pollBundles(
      {
        controlPlaneUrl: config.controlPlaneUrl,
        token: this.options.token,
        waitSeconds: config.waitSeconds,
        maxBytes: config.maxBundleBytes,
        fetch: this.options.fetch,
        ...this.options.poll,
      },
      {
        knownRevision: () => knownRevision(this.state.enforcement),
        // The bundle of that revision (the newer of applied and held), for a delta against it.
        base: () => {
          const { applied, pending } = this.state.enforcement;
          return pending && pending.revision > (applied?.revision ?? 0) ? pending : applied;
        },
        onBundle: async (bundle) => dispositionOf(await this.offerBundle(bundle.jws, bundle.claimedRevision)),
        onFailure: (failure) => this.onFetchFailure(failure),
        onReachable: () => this.onReachable(),
      },
      this.abort.signal,
    );
  }

  /**
   * Stops polling and reporting and lets a pipeline run in progress finish. Enforcement stays: the
   * dataplane's close() releases handles and leaves its programs attached.
   */
  async stop(): Promise<void> {
    if (this.state.lifecycle === 'stopped' || this.state.lifecycle === 'stopping') return;
    this.state.lifecycle = 'stopping';
    const running = this.state.running;
    this.abort.abort();
    clearInterval(running.retryTimer);
    clearInterval(running.inventoryTimer);
    running.unsubscribe?.();
    await running.polling;
    await this.state.queue;
    this.options.memory?.stop();
    await this.reporter.stop();
    await this.options.inventory.close();
    await this.options.dataplane.close();
    this.state.lifecycle = 'stopped';
    this.log.info({ appliedRevision: this.appliedRevision }, 'agent stopped; enforcement left in place');
  }

  /** A bundle as received from the control plane: through the pipeline, after any run in progress. */
  offerBundle(jws: string, claimedRevision?: number): Promise<BundleOutcome> {
    return this.serially(() => offer(jws, claimedRevision, this.pipeline));
  }

  /** What the next status report says. */
  status(): StatusSnapshot {
    const errors = this.conditions.list();
    const { applied, appliedInventory } = this.state.enforcement;
    if (applied && isExpired(applied.payload, this.clock())) {
      errors.push({
        code: 'ENFORCING_EXPIRED_BUNDLE',
        message: `revision ${applied.revision} expired at ${applied.payload.expiresAt}; it stays enforced until a newer bundle is accepted`,
        revision: applied.revision,
      });
    }
    return {
      appliedRevision: applied?.revision ?? null,
      inventoryHash: appliedInventory ? inventoryHash(appliedInventory) : null,
      errors,
      programs: this.livePrograms(),
    };
  }

  /** The last apply's program statistics with the dataplane's current counters merged in. */
  private livePrograms(): Record<string, ProgramStats> {
    let live: Record<string, ProgramStats> = {};
    try {
      live = (this.state.enforcement.applied && this.options.dataplane.liveStats?.()) || {};
    } catch (error) {
      this.log.warn({ err: error }, "dataplane counters unreadable; the report carries the last apply's");
    }
    const merged = { ...this.state.enforcement.programs };
    for (const [endpoint, stats] of Object.entries(live)) if (merged[endpoint]) merged[endpoint] = { ...merged[endpoint], ...stats };
    return merged;
  }

  /**
   * Why this node lets a connection through or drops it: the reference evaluation of what it enforces
   * now (applied bundle, the inventory it was applied with). agent/explain/server.ts serves it locally.
   */
  explain(query: ExplainQuery): ExplainResult {
    const { applied, appliedInventory } = this.state.enforcement;
    const inventory = appliedInventory ?? this.options.inventory.current().inventory;
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
    if (this.state.lifecycle !== 'running') return; // no call to the control plane before start(), none after stop()
    const inventory = this.state.enforcement.appliedInventory ?? this.options.inventory.current().inventory;
    if (!inventory) return;
    void this.inventoryReporter.offer(inventory).catch((error: unknown) => this.log.warn({ err: error }, 'inventory report failed'));
  }

  private serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.state.queue.then(async () => {
      const before = this.state.enforcement;
      this.options.memory?.busy();
      try {
        return await task();
      } finally {
        // every record transition is a new object: an apply ran (or a bundle was verified and held)
        this.options.memory?.idle(this.state.enforcement !== before);
      }
    });
    this.state.queue = run.catch((error: unknown) => this.log.error({ err: error }, 'agent step failed'));
    return run;
  }

  /** Pods or namespaces changed (or the source reports trouble): re-apply so selectors see the new set. */
  private async onInventory(update: InventoryState): Promise<void> {
    this.conditions.set('inventory', update.error);
    if (update.error) this.log.warn({ code: update.error.code, reason: update.error.message }, 'inventory update unusable; keeping the previous one');
    const inventory = update.inventory;
    const { applied, pending, appliedInventory } = this.state.enforcement;
    if (!inventory || inventory === appliedInventory) return;
    if (!applied && !pending) this.reportInventory(); // nothing to apply it with: what explanations see is this one
    if (pending) {
      const outcome = await applyVerified(pending, this.pipeline);
      if (outcome.disposition === 'applied') return;
    }
    // The dataplane keeps the programs it had if this fails: the same bundle over the older inventory.
    await reapply(inventory, this.pipeline);
  }

  private async retryPending(): Promise<void> {
    const pending = this.state.enforcement.pending;
    if (this.state.lifecycle === 'stopping' || this.state.lifecycle === 'stopped' || !pending || !this.options.inventory.current().inventory) return;
    this.log.info({ revision: pending.revision }, 'trying the held bundle again');
    await applyVerified(pending, this.pipeline);
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
    const code = BUNDLE_FETCH_ERROR_CODES[failure.code];
    this.conditions.set('fetch', { code, message: failure.message });
    const key = `${code}:${failure.message}`;
    // The same failure every backoff step would flood the log; say it once, then quietly.
    if (key !== this.state.lastFetchFailure) {
      this.log.warn({ code, reason: failure.message, status: failure.status }, 'cannot fetch bundles; enforcing the last good bundle meanwhile');
    } else {
      this.log.debug({ code }, 'still cannot fetch bundles');
    }
    this.state.lastFetchFailure = key;
  }

  private onReachable(): void {
    if (this.state.lastFetchFailure) this.log.info('control plane reachable again');
    this.state.lastFetchFailure = undefined;
    if (this.conditions.get('fetch').length === 0) return;
    // No report got through during the outage: send one naming it, and forget the failure only once
    // a report has carried it (a status endpoint still failing keeps it for the next answer).
    void this.reporter.report().then((outcome) => {
      if (outcome.ok && this.state.lastFetchFailure === undefined) this.conditions.clear('fetch');
    });
  }
}

function dispositionOf(outcome: BundleOutcome): BundleDisposition {
  return outcome.disposition === 'applied' ? 'accepted' : outcome.disposition;
}
