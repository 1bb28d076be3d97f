// The bundle builder: the cluster's stored policies (their IR as the write path stored it) and the
// tenant's plan limits -> PolicySet -> canonical payload -> signed JWS, stored as an immutable row with
// the next revision. Runs as the tenant (row-level security applies).
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { BUNDLE_CHANNEL, type Db, inStartOrder, newId, statement, withTenant } from '../../db/index.ts';
import { bundles, clusters, policies, tenants } from '../../db/schema/index.ts';
import { activeSigningKey, BUNDLE_API_VERSION, type BundlePayload, encodePolicy, type KeyRing, signBundle } from '../../policy/bundle/index.ts';
import type { BundleLimits } from '../../policy/ir.ts';
import type { NormalisedResource } from '../../policy/kinds/index.ts';
import { bundleLimitsOf } from '../../policy/plan/bundle-limits.ts';
import { tenantLimits } from '../../policy/plan/limits.ts';
import { policySetFromResources, resourceOfStoredObject, StoredObjectInvalidError } from '../../policy/policy-set-from-objects.ts';
import type { BuildRequest } from '../queue/build-queue.ts';
import { UnrecoverableBuildError } from '../queue/unrecoverable.ts';

export interface BundleBuilderDeps {
  db: Db;
  keyRing: () => KeyRing;
  clock: () => Date;
  bundleTtlMs: number;
  logger: Logger;
}

export type BuildOutcome = { built: true; revision: number; bytes: number } | { built: false; reason: 'cluster-deleted' | 'unchanged' };

/**
 * Rows keep the IR the write path computed; only a row written before that column existed (and not yet
 * backfilled) is parsed. A stored object that no longer validates stays invalid however often the
 * build is retried.
 */
function policySetOfStored(rows: readonly { manifest: unknown; resource: NormalisedResource | null }[], limits: BundleLimits, clusterId: string) {
  try {
    return policySetFromResources(
      rows.map((row) => row.resource ?? resourceOfStoredObject(row.manifest)),
      { limits },
    );
  } catch (error) {
    if (error instanceof StoredObjectInvalidError) throw new UnrecoverableBuildError(`cluster ${clusterId}: ${error.message}`, { cause: error });
    throw error;
  }
}

// A build's statements, built once (db/statements.ts).
const lockLiveCluster = statement('build-lock-cluster', (tx, values: { clusterId: string }) =>
  tx
    .select({ id: clusters.id })
    .from(clusters)
    .where(and(eq(clusters.id, values.clusterId), isNull(clusters.deletedAt)))
    .for('update'),
);
const readPolicies = statement('build-read-policies', (tx, values: { clusterId: string }) =>
  tx
    .select({ resource: policies.resource, manifest: sql<unknown>`case when ${policies.resource} is null then ${policies.manifest} end` })
    .from(policies)
    .where(eq(policies.clusterId, values.clusterId)),
);
const readTenantLimits = statement('build-read-tenant-limits', (tx, values: { tenantId: string }) =>
  tx.select({ plan: tenants.plan, limits: tenants.limits }).from(tenants).where(eq(tenants.id, values.tenantId)),
);
// The newest bundle's revision and content, not its JWS: that is the size of the policy.
const readLatestBundle = statement('build-read-latest-bundle', (tx, values: { clusterId: string }) =>
  tx
    .select({ revision: bundles.revision, contentHash: bundles.contentHash })
    .from(bundles)
    .where(eq(bundles.clusterId, values.clusterId))
    .orderBy(desc(bundles.revision))
    .limit(1),
);
type BundleInsert = Required<Omit<typeof bundles.$inferInsert, 'createdAt'>>;
const insertBundle = statement('insert-bundle', (tx, values: BundleInsert) =>
  tx.insert(bundles).values({
    id: values.id,
    tenantId: values.tenantId,
    clusterId: values.clusterId,
    revision: values.revision,
    sha256: values.sha256,
    contentHash: values.contentHash,
    keyId: values.keyId,
    jws: values.jws,
    size: values.size,
    expiresAt: values.expiresAt,
  }),
);

export function createBundleBuilder(deps: BundleBuilderDeps) {
  return async function buildBundle(request: BuildRequest): Promise<BuildOutcome> {
    const outcome = await withTenant(deps.db, request.tenantId, async (tx) => {
      // The build's reads travel together, behind the cluster's row lock (db/pipeline.ts): the lock
      // serialises builds of one cluster, so revisions are assigned one at a time, and the server
      // takes it before it runs the reads. One round trip where they took four.
      const { clusterId, tenantId } = request;
      const [[cluster], stored, [tenant], [latest]] = await inStartOrder(
        lockLiveCluster(tx, { clusterId }),
        readPolicies(tx, { clusterId }),
        readTenantLimits(tx, { tenantId }),
        readLatestBundle(tx, { clusterId }),
      );
      if (!cluster) return { built: false, reason: 'cluster-deleted' } as const;
      if (!tenant) throw new Error(`tenant ${request.tenantId} not found`);

      // The limits the agent enforces, from the tenant's plan limits as they are now: a plan change
      // reaches the agents with the next build (a reissue, or any policy change).
      const policySet = policySetOfStored(stored, bundleLimitsOf(tenantLimits(tenant.plan, tenant.limits)), cluster.id);
      // Encoded once: the content hash and the signed payload are of the same text.
      const encoded = encodePolicy(policySet);
      const { contentHash } = encoded;
      if (latest && latest.contentHash === contentHash && !request.reissue) return { built: false, reason: 'unchanged' } as const;

      const now = deps.clock();
      const expiresAt = new Date(now.getTime() + deps.bundleTtlMs);
      const revision = (latest?.revision ?? 0) + 1;
      const payload: BundlePayload = {
        apiVersion: BUNDLE_API_VERSION,
        kind: 'Bundle',
        tenantId: request.tenantId,
        clusterId: cluster.id,
        revision,
        issuedAt: now.toISOString(),
        expiresAt: expiresAt.toISOString(),
        contentHash,
        policy: policySet,
      };
      const signingKey = await activeSigningKey(deps.keyRing());
      const signed = await signBundle(payload, signingKey, encoded.json);
      // Sent together; the NOTIFY is delivered at commit, so waiting agents are woken only once the
      // bundle is readable (and not at all should the insert fail).
      await inStartOrder(
        insertBundle(tx, {
          id: newId(now.getTime()),
          tenantId: request.tenantId,
          clusterId: cluster.id,
          revision,
          sha256: signed.sha256,
          contentHash,
          keyId: signingKey.kid,
          jws: signed.jws,
          size: signed.size,
          expiresAt,
        }),
        tx.execute(sql`select pg_notify(${BUNDLE_CHANNEL}, ${cluster.id})`),
      );
      return { built: true, revision, bytes: signed.size } as const;
    });
    deps.logger.info({ clusterId: request.clusterId, outboxId: request.outboxId, ...outcome }, 'bundle build');
    return outcome;
  };
}
