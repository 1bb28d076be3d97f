// The offboarding job of an EKS cluster deleted by its tenant (DELETE /v1/clusters/{id} set it to
// `offboarding`): assume the tenant's role, remove the agent's Kubernetes objects that onboarding
// installed (uninstall-agent.ts), remove palisade's access entry, then revoke the cluster's agent
// tokens and delete the cluster. The Kubernetes objects go before the access entry, since the entry
// is what lets palisade into the Kubernetes API. Every step counts "already gone" as done, so a re-run
// (a worker restart, a second DELETE after a failure) is idempotent. Throttling and an unreachable
// AWS or Kubernetes API are retried here with doubling waits, as onboarding does; what still fails
// leaves the cluster `failed` with the reason, `stage: offboarding`, and the next step.
import { type Cluster, DeleteAccessEntryCommand, DescribeClusterCommand, EKSClient, ResourceNotFoundException } from '@aws-sdk/client-eks';
import { and, eq, isNull } from 'drizzle-orm';
import type { Logger } from 'pino';
import { removeCluster } from '../../api/services/clusters.ts';
import { type Db, withTenant } from '../../db/index.ts';
import { agentTokens, type ClusterAwsSettings, clusters, tenants } from '../../db/schema/index.ts';
import type { BuildRequest } from '../queue/build-queue.ts';
import { type AwsAccess, type AwsCredentials, assumeTenantRole, failureOf } from './inspect-eks-cluster.ts';
import { INSTALL_TOKEN_NAME } from './onboard-eks-cluster.ts';
import type { OnboardingFailure } from './onboarding-failure.ts';
import { uninstallAgent } from './uninstall-agent.ts';

export interface EksOffboarderDeps {
  db: Db;
  access: AwsAccess;
  /** The first wait after a retryable failure; doubles each time. */
  retryBaseMs: number;
  /** Runs before a retryable failure is recorded as the outcome. */
  attempts: number;
  logger: Logger;
}

export type OffboardingOutcome = { offboarded: false; reason: 'cluster-gone' | 'not-offboarding' } | { offboarded: true; status: 'deleted' | 'failed' };

type Removal = { ok: true } | { ok: false; failure: OnboardingFailure };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What is left of the cluster in AWS and its Kubernetes API; a cluster EKS no longer knows has nothing left. */
async function removeFromCluster(deps: EksOffboarderDeps, settings: ClusterAwsSettings, credentials: AwsCredentials, installed: boolean): Promise<Removal> {
  const eks = new EKSClient({
    region: settings.region,
    credentials,
    ...(deps.access.maxAttempts !== undefined && { maxAttempts: deps.access.maxAttempts }),
    ...(deps.access.endpoints?.eks && { endpoint: deps.access.endpoints.eks }),
  });
  try {
    let cluster: Cluster | undefined;
    try {
      cluster = (await eks.send(new DescribeClusterCommand({ name: settings.clusterName }))).cluster;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return { ok: true };
      return { ok: false, failure: failureOf(error, 'eks:DescribeCluster', settings) };
    }
    // Onboarding mints the install's token just before it installs: without one, nothing was installed.
    if (installed && cluster?.endpoint) {
      const target = {
        endpoint: cluster.endpoint,
        certificateAuthority: cluster.certificateAuthority?.data ?? '',
        clusterName: settings.clusterName,
        region: settings.region,
        access: cluster.accessConfig?.authenticationMode === 'CONFIG_MAP' ? ('aws-auth' as const) : ('access-entry' as const),
        roleArn: settings.roleArn,
      };
      const uninstalled = await uninstallAgent(target, credentials, deps.access);
      if (!uninstalled.ok) return uninstalled;
    }
    // With the CONFIG_MAP mode there is no entry: the tenant added the role to aws-auth, and removes it.
    if (cluster?.accessConfig?.authenticationMode === 'CONFIG_MAP') return { ok: true };
    try {
      await eks.send(new DeleteAccessEntryCommand({ clusterName: settings.clusterName, principalArn: settings.roleArn }));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) return { ok: false, failure: failureOf(error, 'eks:DeleteAccessEntry', settings) };
    }
    return { ok: true };
  } finally {
    eks.destroy();
  }
}

export function createEksOffboarder(deps: EksOffboarderDeps) {
  const { db } = deps;
  return async function offboardEksCluster(request: BuildRequest): Promise<OffboardingOutcome> {
    const started = await withTenant(db, request.tenantId, async (tx) => {
      const [cluster] = await tx
        .select()
        .from(clusters)
        .where(and(eq(clusters.id, request.clusterId), isNull(clusters.deletedAt)));
      if (!cluster) return 'cluster-gone' as const;
      if (cluster.status !== 'offboarding' || !cluster.aws) return 'not-offboarding' as const;
      const [tenant] = await tx.select({ externalId: tenants.awsExternalId }).from(tenants).where(eq(tenants.id, request.tenantId));
      const [minted] = await tx
        .select({ id: agentTokens.id })
        .from(agentTokens)
        .where(and(eq(agentTokens.clusterId, cluster.id), eq(agentTokens.name, INSTALL_TOKEN_NAME)))
        .limit(1);
      return { aws: cluster.aws, externalId: tenant!.externalId, installed: minted !== undefined };
    });
    if (typeof started === 'string') return { offboarded: false, reason: started };

    let result: Removal;
    for (let attempt = 1; ; attempt++) {
      const assumed = await assumeTenantRole(deps.access, started.aws, {
        externalId: started.externalId,
        sessionName: `palisade-${request.clusterId}`.slice(0, 64),
      });
      result = assumed.ok ? await removeFromCluster(deps, started.aws, assumed.credentials, started.installed) : assumed;
      if (result.ok || !result.failure.retryable || attempt >= deps.attempts) break;
      const waitMs = deps.retryBaseMs * 2 ** (attempt - 1);
      deps.logger.warn({ clusterId: request.clusterId, code: result.failure.code, attempt, waitMs }, 'EKS offboarding will run again');
      await sleep(waitMs);
    }

    return withTenant(db, request.tenantId, async (tx) => {
      const [cluster] = await tx
        .select({ id: clusters.id, status: clusters.status })
        .from(clusters)
        .where(and(eq(clusters.id, request.clusterId), isNull(clusters.deletedAt)))
        .for('update');
      if (!cluster) return { offboarded: false, reason: 'cluster-gone' } as const;
      if (cluster.status !== 'offboarding') return { offboarded: false, reason: 'not-offboarding' } as const;
      if (!result.ok) {
        const { retryable, ...failure } = result.failure;
        const again = 'then DELETE /v1/clusters/{id} again';
        const nextStep = retryable
          ? `try again later: ${again}`
          : `${failure.nextStep.replace(/[;,]? (then )?retry( once fixed)?$/, '')}; ${again}; or DELETE with ?force=true and remove palisade's access entry and the palisade-system namespace yourself`;
        await tx
          .update(clusters)
          .set({ status: 'failed', onboardingFailure: { ...failure, nextStep, retryable, stage: 'offboarding' }, updatedAt: new Date() })
          .where(eq(clusters.id, cluster.id));
        return { offboarded: true, status: 'failed' } as const;
      }
      // Agents still running somewhere (a node the uninstall could not reach) pull nothing more.
      await tx
        .update(agentTokens)
        .set({ revokedAt: new Date() })
        .where(and(eq(agentTokens.clusterId, cluster.id), isNull(agentTokens.revokedAt)));
      await removeCluster(tx, cluster.id);
      return { offboarded: true, status: 'deleted' } as const;
    });
  };
}
