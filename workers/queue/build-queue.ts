// The work queue between the outbox relay and the workers: bundle builds, and EKS onboarding. Two
// implementations: BullMQ on Redis (production, several processes) and an in-process one (the
// embedded default, no Redis). Jobs coalesce per kind and cluster.

/** What a job does: build the cluster's bundle (the default), onboard its EKS cluster, or offboard it on delete. */
export type JobKind = 'bundle-build' | 'eks-onboarding' | 'eks-offboarding';

export interface BuildRequest {
  /** Absent for a bundle build. */
  kind?: JobKind;
  tenantId: string;
  clusterId: string;
  /** The newest outbox row this request stands for (absent for a reissue); names the BullMQ job. */
  outboxId?: number;
  /** Re-issue even if the policy is unchanged (expiry refresh, key rotation). */
  reissue?: boolean;
}

export interface BuildQueue {
  /**
   * Promises a build of the cluster that starts after this call, so it reads the change behind the
   * request. Requests for a cluster coalesce: at most one build runs and one waits.
   */
  enqueue(request: BuildRequest): Promise<void>;
  /**
   * Calls `listener` each time the queue's store comes back after a lost connection: the jobs it held
   * may be gone (a Redis without persistence restarts empty), so the caller asks again for what it needs.
   */
  onStoreRestored(listener: () => void): void;
  /** Jobs not started yet and jobs running now (metrics read it at scrape time). */
  depth(): Promise<{ waiting: number; active: number }>;
  /** Stops taking work and waits for running builds. */
  close(): Promise<void>;
}

/** Called once per failed build attempt (metrics count them). */
export type OnJobFailure = () => void;

export const jobKind = (request: BuildRequest): JobKind => request.kind ?? 'bundle-build';

export type BuildProcessor = (request: BuildRequest) => Promise<unknown>;
