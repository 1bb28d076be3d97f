// The typed context every handler sees: infrastructure built once at start-up (`services`) and the
// caller resolved by the auth middleware.
import type { Logger } from 'pino';
import type { Database } from '../db/index.ts';
import type { KeyRing } from '../policy/bundle/index.ts';
import type { ApiMetrics } from './metrics/api-metrics.ts';
import type { BundleWaiters } from './services/bundle-waiters.ts';
import type { AgentCaller, ApiCaller } from './services/context.ts';
import type { FlowFeed } from './services/flow-feed.ts';

/** A token bucket's size and refill; the name is app.ts's. */
export interface RateLimitSetting {
  perSecond: number;
  burst: number;
}

/** Bundle long-polls held at once. */
export interface LongPollLimits {
  perToken: number;
  perTenant: number;
}

/** Requests of one tenant running at once in this process, and waiting for a turn. */
export interface ConcurrencySetting {
  inFlight: number;
  queued: number;
}

/** The limits that keep one tenant, agent or client from stalling the others. */
export interface FairnessConfig {
  tenantReads: RateLimitSetting;
  tenantWrites: RateLimitSetting;
  /** Per agent token. */
  agentRequests: RateLimitSetting;
  /** Per client network. */
  signups: RateLimitSetting;
  /** Sign-ins and invite acceptances per client network. */
  signIns: RateLimitSetting;
  /** Sign-ins per email, whatever the network. */
  signInsPerEmail: RateLimitSetting;
  /** Proxies in front of the server whose X-Forwarded-For entries are believed. */
  trustedProxyHops: number;
  /** How long a rate limit's 429 is held before it is sent, at most its Retry-After (rate-limit.ts). */
  refusalHoldMs: number;
  longPolls: LongPollLimits;
  /** Per tenant, API-key requests only (agents have their per-token buckets and long-poll caps). */
  tenantConcurrency: ConcurrencySetting;
  /** Flow streams (server-sent events) held open at once per tenant. */
  flowStreamsPerTenant: number;
}

export interface ApiConfig {
  /**
   * What the app serves: `full`, everything; `agent`, the agents' endpoints (bundle, status, inventory,
   * flows), the trust root and /healthz alone, every other path 404 (the delivery role). Unset, full.
   */
  surface?: 'full' | 'agent';
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  fairness: FairnessConfig;
  /** Longest an agent's long-poll may wait before a 304. */
  longPollMaxMs: number;
  /** Version string agents and the console see. */
  version: string;
  /** A console build to serve at `/` (index.html and assets/); none, and `/` answers 404. */
  consoleDir?: string | undefined;
  /** Palisade's AWS principal, which tenants' role trust policies name (EKS onboarding); undefined where unset. */
  awsPrincipal?: string | undefined;
}

export interface Services {
  database: Database;
  /** The current signing key ring; a function so a rotation is picked up without a restart. */
  keyRing: () => KeyRing;
  bundleWaiters: BundleWaiters;
  /** Wakes live flow streams when flows are stored (in this process or, through NOTIFY, another). */
  flowFeed: FlowFeed;
  clock: () => Date;
  logger: Logger;
  config: ApiConfig;
  /** Where requests are recorded, when the process serves metrics (METRICS_PORT). */
  metrics?: ApiMetrics;
}

export type AppEnv = {
  Variables: {
    services: Services;
    caller: ApiCaller;
    agent: AgentCaller;
    requestId: string;
  };
};
