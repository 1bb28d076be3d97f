// Shared by the agent daemon tests: real Ed25519 keys and signed bundles (policy/bundle), a recording
// Dataplane (a test double of the seam only: it records what it was asked to enforce and can be told
// to refuse), an inventory source the test sets by hand, and a fetch that answers status posts.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type Logger, pino } from 'pino';
import { AgentDaemon, type DaemonOptions } from '../../../agent/daemon.ts';
import type { ApplyInput, ApplyReport, Dataplane, DataplaneError } from '../../../agent/datapath/dataplane.ts';
import { type InventoryIssue, type InventorySource, InventoryStateHolder } from '../../../agent/inventory/source.ts';
import { LastGoodStore } from '../../../agent/state/last-good.ts';
import type { TrustRootSource } from '../../../agent/trust/trust-root.ts';
import { BUNDLE_API_VERSION, type BundlePayload } from '../../../policy/bundle/payload.ts';
import { contentHashOf, signBundle } from '../../../policy/bundle/sign.ts';
import { activeSigningKey, newKeyRing, type SigningKey, type TrustRoot, trustRootOf } from '../../../policy/bundle/signing-keys.ts';
import { endpointKey, type Inventory, type InventoryInput, inventorySchema } from '../../../policy/inventory.ts';
import type { PolicySet } from '../../../policy/ir.ts';
import { IR_FEATURES, type IrFeature } from '../../../policy/ir-features.ts';

export const NOW = new Date('2030-01-01T00:00:00.000Z');
export const HOUR = 3_600_000;

export interface Keys {
  signingKey: SigningKey;
  trustRoot: TrustRoot;
}

export async function makeKeys(now = NOW): Promise<Keys> {
  const ring = await newKeyRing(now);
  return { signingKey: await activeSigningKey(ring), trustRoot: trustRootOf(ring, now) };
}

export function trustRootSource(trustRoot: TrustRoot): TrustRootSource {
  return { current: async () => trustRoot };
}

export interface Identity {
  tenantId: string;
  clusterId: string;
}

export function newIdentity(): Identity {
  return { tenantId: randomUUID(), clusterId: randomUUID() };
}

export const EMPTY_POLICY: PolicySet = { tiers: [] };

/** A policy set with one NetworkPolicy-like policy; `name` makes sets distinguishable. */
export function policyNamed(name: string): PolicySet {
  return {
    tiers: [
      {
        name: 'default',
        order: 1_000_000,
        defaultAction: 'Deny',
        policies: [
          {
            id: `NetworkPolicy/shop/${name}`,
            kind: 'NetworkPolicy',
            namespace: 'shop',
            name,
            order: 1_000,
            staged: false,
            subject: { namespaceSelector: { op: 'eq', key: 'kubernetes.io/metadata.name', value: 'shop' }, podSelector: { op: 'all' } },
            directions: ['ingress'],
            ingress: [{ action: 'Allow', ports: [{ protocol: 'TCP', port: 80 }], peers: [] }],
            egress: [],
          },
        ],
      },
    ],
  };
}

export function payload(identity: Identity, revision: number, overrides: Partial<BundlePayload> = {}): BundlePayload {
  const policy = overrides.policy ?? EMPTY_POLICY;
  return {
    apiVersion: BUNDLE_API_VERSION,
    kind: 'Bundle',
    tenantId: identity.tenantId,
    clusterId: identity.clusterId,
    revision,
    issuedAt: new Date(NOW.getTime() - HOUR).toISOString(),
    expiresAt: new Date(NOW.getTime() + 24 * HOUR).toISOString(),
    contentHash: contentHashOf(policy),
    policy,
    ...overrides,
  };
}

export async function signed(keys: Pick<Keys, 'signingKey'>, body: BundlePayload): Promise<string> {
  return (await signBundle(body, keys.signingKey)).jws;
}

/** A test double for the Dataplane seam: records every apply, and refuses while `refuse` is set. */
export class RecordingDataplane implements Dataplane {
  /**
   * By default every feature: it enforces nothing, so it can record any bundle (control-plane bundles
   * carry the plan's bandwidth ceiling). Tests of the refusal path give it fewer.
   */
  constructor(readonly supportedIrFeatures: readonly IrFeature[] = IR_FEATURES) {}

  readonly applies: ApplyInput[] = [];
  adopted = 0;
  closed = 0;
  refuse: DataplaneError | undefined;
  /** Called inside apply, so a test can look at the world at that instant. */
  onApply: ((input: ApplyInput) => void) | undefined;

  async adopt(): Promise<void> {
    this.adopted += 1;
  }

  async apply(input: ApplyInput): Promise<ApplyReport> {
    this.onApply?.(input);
    if (this.refuse) return { applied: false, programs: {}, errors: [this.refuse] };
    this.applies.push(input);
    const local = input.inventory.endpoints.filter((endpoint) => endpoint.hostInterface !== undefined);
    return {
      applied: true,
      programs: Object.fromEntries(local.map((e) => [endpointKey(e), { instructions: { ingress: 10, egress: 10 }, strategy: 'recording' }])),
      errors: [],
    };
  }

  async close(): Promise<void> {
    this.closed += 1;
  }

  get revisions(): number[] {
    return this.applies.map((input) => input.bundle.revision);
  }
}

/** An inventory source the test drives: set() a new inventory, fail() an update. */
export class ManualInventorySource implements InventorySource {
  private readonly holder = new InventoryStateHolder();
  closed = false;

  constructor(initial?: InventoryInput) {
    if (initial) this.set(initial);
  }

  set(input: InventoryInput): Inventory {
    const inventory = inventorySchema.parse(input);
    this.holder.accept(inventory);
    return inventory;
  }

  fail(issue: InventoryIssue): void {
    this.holder.fail(issue);
  }

  current() {
    return this.holder.current();
  }

  onChange(listener: Parameters<InventorySource['onChange']>[0]) {
    return this.holder.onChange(listener);
  }

  async close() {
    this.closed = true;
  }
}

export function smallInventory(extraPod?: string): InventoryInput {
  const pods = ['web', ...(extraPod ? [extraPod] : [])];
  return {
    namespaces: [{ name: 'shop', labels: {} }],
    endpoints: pods.map((name, i) => ({
      namespace: 'shop',
      name,
      labels: { app: name },
      ipv4: [`198.18.0.${i + 10}`],
      ports: [{ name: 'http', port: 80, protocol: 'TCP' as const }],
      node: 'node-a',
      hostInterface: `veth${i}`,
    })),
  };
}

export interface StatusPost {
  nodeName: string;
  appliedRevision: number | null;
  agentVersion?: string;
  errors: { code: string; message: string; endpoint?: string; revision?: number }[];
  programs: Record<string, unknown>;
}

/** A fetch that accepts status posts (204) and records them; anything else is a network failure. */
export function statusRecorder(): { fetch: typeof fetch; posts: StatusPost[]; requests: string[] } {
  const posts: StatusPost[] = [];
  const requests: string[] = [];
  const fake = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    requests.push(url);
    if (url.endsWith('/v1/agent/status') && init?.method === 'POST') {
      posts.push(JSON.parse(String(init.body)) as StatusPost);
      return new Response(null, { status: 204 });
    }
    throw new TypeError('fetch failed (no network in this test)');
  }) as typeof fetch;
  return { fetch: fake, posts, requests };
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** A logger whose JSON lines the test can read (levels: 40 warn, 50 error, 60 fatal). */
export function capturingLogger(): { logger: Logger; lines: { level: number; msg: string; [key: string]: unknown }[] } {
  const lines: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as { level: number; msg: string });
      callback();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

export async function tempDir(prefix = 'palisade-agent-'): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Polls `check` until it returns true (or throws after `timeoutMs`). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface DaemonSetup {
  identity: Identity;
  keys: Keys;
  dataplane?: Dataplane;
  inventory?: InventorySource;
  stateDir: string;
  clock?: () => Date;
  fetch?: typeof fetch;
  logger?: Logger;
  controlPlaneUrl?: string;
  maxBundleBytes?: number;
  waitSeconds?: number;
  memory?: DaemonOptions['memory'];
}

export function makeDaemon(setup: DaemonSetup): AgentDaemon {
  return new AgentDaemon({
    config: {
      controlPlaneUrl: setup.controlPlaneUrl ?? 'http://127.0.0.1:9',
      tenantId: setup.identity.tenantId,
      clusterId: setup.identity.clusterId,
      nodeName: 'node-a',
      maxBundleBytes: setup.maxBundleBytes ?? 8 * 1024 * 1024,
      waitSeconds: setup.waitSeconds ?? 5,
      statusIntervalSeconds: 3600,
    },
    token: async () => 'pag_test_token',
    trustRoot: trustRootSource(setup.keys.trustRoot),
    inventory: setup.inventory ?? new ManualInventorySource(smallInventory()),
    dataplane: setup.dataplane ?? new RecordingDataplane(),
    lastGood: new LastGoodStore(setup.stateDir),
    logger: setup.logger ?? silentLogger(),
    clock: setup.clock ?? (() => NOW),
    fetch: setup.fetch ?? statusRecorder().fetch,
    poll: { errorBackoff: { initialMs: 20, maxMs: 200 }, rejectBackoff: { initialMs: 20, maxMs: 200 }, minPollIntervalMs: 10, graceMs: 5_000 },
    ...(setup.memory && { memory: setup.memory }),
  });
}
