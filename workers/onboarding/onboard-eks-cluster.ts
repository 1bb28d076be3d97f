// The onboarding job of an EKS cluster registered with a role: inspect it (inspect-eks-cluster.ts),
// grant palisade an access entry when the cluster allows them (grant-access-entry.ts), and record
// the compatibility report, or why it could not, as the cluster's status. Throttling and an unreachable AWS are retried here with doubling waits, so both queues (BullMQ and the in-process
// one, which has no retries of its own) behave the same. Re-running is idempotent: a cluster whose
// onboarding already has an outcome is left alone, inspection only reads AWS, and the access entry
// calls are idempotent.
import { and, eq, isNull } from 'drizzle-orm';
import type { Logger } from 'pino';
import { type Db, withTenant } from '../../db/index.ts';
import { agentStatus, clusters, tenants } from '../../db/schema/index.ts';
import type { BuildRequest } from '../queue/build-queue.ts';
import { grantAccessEntry } from './grant-access-entry.ts';
import { type AwsAccess, type InspectionResult, inspectEksCluster } from './inspect-eks-cluster.ts';

export interface EksOnboarderDeps {
  db: Db;
  access: AwsAccess;
  /** The first wait after a retryable failure; doubles each time. */
  retryBaseMs: number;
  /** Inspections before a retryable failure is recorded as the outcome. */
  attempts: number;
  logger: Logger;
}

export type OnboardingOutcome =
  | { onboarded: false; reason: 'cluster-gone' | 'already-decided' }
  | { onboarded: true; status: 'waiting-for-agents' | 'connected' | 'failed' };

const ONBOARDING_UNDECIDED = ['pending', 'onboarding'] as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createEksOnboarder(deps: EksOnboarderDeps) {
  const { db } = deps;
  return async function onboardEksCluster(request: BuildRequest): Promise<OnboardingOutcome> {
    const started = await withTenant(db, request.tenantId, async (tx) => {
      const [cluster] = await tx
        .select()
        .from(clusters)
        .where(and(eq(clusters.id, request.clusterId), isNull(clusters.deletedAt)))
        .for('update');
      if (!cluster?.aws) return 'cluster-gone' as const;
      if (!(ONBOARDING_UNDECIDED as readonly string[]).includes(cluster.status)) return 'already-decided' as const;
      await tx.update(clusters).set({ status: 'onboarding', onboardingFailure: null, updatedAt: new Date() }).where(eq(clusters.id, cluster.id));
      const [tenant] = await tx.select({ externalId: tenants.awsExternalId }).from(tenants).where(eq(tenants.id, request.tenantId));
      return { aws: cluster.aws, externalId: tenant!.externalId };
    });
    if (typeof started === 'string') return { onboarded: false, reason: started };

    let result: InspectionResult;
    for (let attempt = 1; ; attempt++) {
      // Role session names are at most 64 characters of [\w+=,.@-]; the cluster id fits and shows in the tenant's CloudTrail.
      result = await inspectEksCluster(deps.access, started.aws, { externalId: started.externalId, sessionName: `palisade-${request.clusterId}`.slice(0, 64) });
      // With the API authentication mode palisade grants itself an access entry; with CONFIG_MAP only the
      // tenant can (the compatibility report says what to add to aws-auth).
      if (result.ok && result.report.access === 'access-entry') {
        const granted = await grantAccessEntry(deps.access, started.aws, result.credentials);
        if (!granted.ok) result = granted;
      }
      if (result.ok || !result.failure.retryable || attempt >= deps.attempts) break;
      const waitMs = deps.retryBaseMs * 2 ** (attempt - 1);
      deps.logger.warn({ clusterId: request.clusterId, code: result.failure.code, attempt, waitMs }, 'EKS onboarding will run again');
      await sleep(waitMs);
    }

    return withTenant(db, request.tenantId, async (tx) => {
      const [cluster] = await tx
        .select({ id: clusters.id, status: clusters.status })
        .from(clusters)
        .where(and(eq(clusters.id, request.clusterId), isNull(clusters.deletedAt)))
        .for('update');
      // Deleted (or decided by another run) while AWS was asked: that outcome stands.
      if (!cluster) return { onboarded: false, reason: 'cluster-gone' } as const;
      if (cluster.status !== 'onboarding') return { onboarded: false, reason: 'already-decided' } as const;
      if (!result.ok) {
        const { retryable, ...failure } = result.failure;
        // Out of attempts, a passing failure needs the tenant to ask again.
        const nextStep = retryable ? 'try again later: replace the cluster (PUT /v1/clusters/{id}) to run onboarding again' : failure.nextStep;
        await tx
          .update(clusters)
          .set({ status: 'failed', onboardingFailure: { ...failure, nextStep, retryable }, updatedAt: new Date() })
          .where(eq(clusters.id, cluster.id));
        return { onboarded: true, status: 'failed' } as const;
      }
      // An agent installed by hand may have reported already.
      const [reported] = await tx.select({ id: agentStatus.id }).from(agentStatus).where(eq(agentStatus.clusterId, cluster.id)).limit(1);
      const status = reported ? 'connected' : 'waiting-for-agents';
      await tx
        .update(clusters)
        .set({ status, compatibility: result.report, onboardingFailure: null, updatedAt: new Date() })
        .where(eq(clusters.id, cluster.id));
      return { onboarded: true, status } as const;
    });
  };
}
