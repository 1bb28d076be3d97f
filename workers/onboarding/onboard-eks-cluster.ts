// The onboarding job of an EKS cluster registered with a role: inspect it (inspect-eks-cluster.ts),
// grant palisade an access entry when the cluster allows them (grant-access-entry.ts), record the
// compatibility report and move to `installing`, install the agent through the Kubernetes API with a
// freshly minted agent token (install-agent.ts), and end at `waiting-for-agents`, or `failed` with
// why it could not and the next step. Throttling and an unreachable AWS or Kubernetes API are retried
// here with doubling waits, so both queues (BullMQ and the in-process one, which has no retries of its
// own) behave the same. Re-running is idempotent: a cluster whose onboarding already has an outcome is
// left alone, inspection only reads AWS, the access entry calls are idempotent, and the install
// creates or replaces its objects (a re-run's fresh token replaces, and revokes, the previous one).
import { and, eq, isNull } from 'drizzle-orm';
import type { Logger } from 'pino';
import { mintCredential } from '../../api/services/credentials.ts';
import { announceOffboarding } from '../../api/services/outbox.ts';
import { type Db, newId, withTenant } from '../../db/index.ts';
import { agentStatus, agentTokens, clusters, tenants } from '../../db/schema/index.ts';
import type { BuildRequest } from '../queue/build-queue.ts';
import { grantAccessEntry } from './grant-access-entry.ts';
import { type AwsAccess, type InspectionResult, inspectEksCluster } from './inspect-eks-cluster.ts';
import { type AgentInstallSettings, installAgent } from './install-agent.ts';
import type { KubernetesResult } from './kubernetes-api.ts';

export interface EksOnboarderDeps {
  db: Db;
  access: AwsAccess;
  install: AgentInstallSettings;
  /** The JWKS agents verify bundles with (GET /v1/trust-root), as JSON text: pinned into the install. */
  trustRoot: () => string;
  /** The first wait after a retryable failure; doubles each time. */
  retryBaseMs: number;
  /** Inspections before a retryable failure is recorded as the outcome. */
  attempts: number;
  logger: Logger;
}

export type OnboardingOutcome =
  | { onboarded: false; reason: 'cluster-gone' | 'already-decided' }
  | { onboarded: true; status: 'waiting-for-agents' | 'connected' | 'failed' };

/** A worker that died mid-install left `installing`: the job starts over (every step is idempotent). */
const ONBOARDING_UNDECIDED = ['pending', 'onboarding', 'installing'] as const;

/** The agent token onboarding installs is named so, and offboarding knows from it that an install happened. */
export const INSTALL_TOKEN_NAME = 'eks-onboarding';

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

    const retryWait = async (attempt: number, failure: { code: string }) => {
      const waitMs = deps.retryBaseMs * 2 ** (attempt - 1);
      deps.logger.warn({ clusterId: request.clusterId, code: failure.code, attempt, waitMs }, 'EKS agent install will run again');
      await sleep(waitMs);
    };

    // Inspected (and granted): record the report and mint the token the install puts in its Secret.
    let installing: { agentToken: string } | undefined;
    if (result.ok) {
      const inspected = result;
      installing = await withTenant(db, request.tenantId, async (tx) => {
        const [cluster] = await tx
          .select({ id: clusters.id, status: clusters.status })
          .from(clusters)
          .where(and(eq(clusters.id, request.clusterId), isNull(clusters.deletedAt)))
          .for('update');
        if (cluster?.status !== 'onboarding') return undefined;
        await tx.update(clusters).set({ status: 'installing', compatibility: inspected.report, updatedAt: new Date() }).where(eq(clusters.id, cluster.id));
        // A re-run installs a new token; the one an earlier run minted (perhaps never installed) goes.
        await tx
          .update(agentTokens)
          .set({ revokedAt: new Date() })
          .where(and(eq(agentTokens.clusterId, cluster.id), eq(agentTokens.name, INSTALL_TOKEN_NAME), isNull(agentTokens.revokedAt)));
        const credential = mintCredential('pag');
        await tx.insert(agentTokens).values({
          id: newId(),
          tenantId: request.tenantId,
          clusterId: cluster.id,
          name: INSTALL_TOKEN_NAME,
          prefix: credential.prefix,
          hash: credential.hash,
        });
        return { agentToken: credential.secret };
      });
      if (!installing) return { onboarded: false, reason: 'already-decided' };
    }

    let installed: KubernetesResult = { ok: true };
    if (result.ok && installing) {
      const { report, credentials } = result;
      const target = {
        endpoint: report.cluster.endpoint,
        certificateAuthority: report.cluster.certificateAuthority,
        clusterName: started.aws.clusterName,
        region: started.aws.region,
        access: report.access,
        roleArn: started.aws.roleArn,
      };
      for (let attempt = 1; ; attempt++) {
        installed = await installAgent(target, credentials, deps.access, {
          ...deps.install,
          tenantId: request.tenantId,
          clusterId: request.clusterId,
          agentToken: installing.agentToken,
          trustRoot: deps.trustRoot(),
        });
        if (installed.ok || !installed.failure.retryable || attempt >= deps.attempts) break;
        await retryWait(attempt, installed.failure);
      }
    }

    return withTenant(db, request.tenantId, async (tx) => {
      const [cluster] = await tx
        .select({ id: clusters.id, status: clusters.status })
        .from(clusters)
        .where(and(eq(clusters.id, request.clusterId), isNull(clusters.deletedAt)))
        .for('update');
      // Deleted (or decided by another run) while AWS was asked: that outcome stands.
      if (!cluster) return { onboarded: false, reason: 'cluster-gone' } as const;
      // Deleted while installing: the offboarding job may have removed the objects before this install
      // made its last ones, so one more (idempotent) offboarding pass runs after it.
      if (cluster.status === 'offboarding' && installing) await announceOffboarding(tx, request.tenantId, cluster.id);
      if (cluster.status !== (result.ok ? 'installing' : 'onboarding')) return { onboarded: false, reason: 'already-decided' } as const;
      const stopped = !result.ok ? result.failure : !installed.ok ? installed.failure : undefined;
      if (stopped) {
        const { retryable, ...failure } = stopped;
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
      await tx.update(clusters).set({ status, onboardingFailure: null, updatedAt: new Date() }).where(eq(clusters.id, cluster.id));
      return { onboarded: true, status } as const;
    });
  };
}
