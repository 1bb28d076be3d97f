// Turning a submitted document into a storable object: validation by its kind's schema (policies of
// every kind, tiers, network sets, bandwidth policies), the tier check, and the identity
// (apiVersion/kind/namespace/name) that stays fixed. Plan limits: ./object-limits.ts, ./endpoint-rules.ts.
import { eq } from 'drizzle-orm';
import type { Tx } from '../../db/index.ts';
import { policies } from '../../db/schema/index.ts';
import type { NormalisedResource } from '../../policy/kinds/define.ts';
import { parseObject } from '../../policy/kinds/index.ts';
import type { TierDefinition } from '../../policy/ir.ts';
import { missingTierIssue, policiesInTier } from '../../policy/tiers.ts';
import { ApiError, pathToString, validationFailed } from '../errors/api-error.ts';

export interface AcceptedPolicy {
  apiVersion: string;
  kind: string;
  /** '' for cluster-scoped kinds (GlobalNetworkPolicy, Tier, AdminNetworkPolicy, ...). */
  namespace: string;
  name: string;
  manifest: Record<string, unknown>;
  resource: NormalisedResource;
  ruleCount: number;
}

export function acceptPolicyDocument(document: unknown): AcceptedPolicy {
  const result = parseObject(document);
  if (!result.ok) throw validationFailed(result.issues.map((issue) => ({ path: pathToString(issue.path), message: issue.message })));
  const manifest = result.object as Record<string, unknown> & { metadata: { name: string; namespace?: string } };
  const { resource } = result;
  return {
    apiVersion: result.apiVersion,
    kind: result.kind,
    namespace: manifest.metadata.namespace ?? '',
    name: manifest.metadata.name,
    manifest,
    resource,
    ruleCount: resource.type === 'policy' ? resource.policy.ingress.length + resource.policy.egress.length : 0,
  };
}

/** The cluster's stored objects, normalised (they validated when written). */
async function storedResources(tx: Tx, clusterId: string): Promise<NormalisedResource[]> {
  const rows = await tx.select({ manifest: policies.manifest }).from(policies).where(eq(policies.clusterId, clusterId));
  return rows.flatMap((row) => {
    const parsed = parseObject(row.manifest);
    return parsed.ok ? [parsed.resource] : [];
  });
}

/**
 * A policy must name a tier that exists (built in, among the cluster's Tier objects, or among those
 * being written with it), as Calico refuses a policy in an unknown tier.
 */
export async function assertTiersExist(tx: Tx, clusterId: string, written: readonly AcceptedPolicy[]): Promise<void> {
  const tiers: TierDefinition[] = [];
  for (const resource of [...(await storedResources(tx, clusterId)), ...written.map((object) => object.resource)]) {
    if (resource.type === 'tier') tiers.push(resource.tier);
  }
  const errors = written.flatMap((object, index) => {
    if (object.resource.type !== 'policy') return [];
    const issue = missingTierIssue(object.resource.policy, tiers);
    const prefix = written.length > 1 ? `${index}.` : '';
    return issue ? [{ path: `${prefix}${pathToString(issue.path)}`, message: issue.message }] : [];
  });
  if (errors.length > 0) throw validationFailed(errors);
}

/** A Tier still holding policies cannot go: they would be left in a tier that no longer exists. */
export async function assertTierEmpty(tx: Tx, clusterId: string, tierName: string): Promise<void> {
  const placed = (await storedResources(tx, clusterId)).flatMap((resource) => (resource.type === 'policy' ? [resource.policy] : []));
  const blocking = policiesInTier(tierName, placed);
  if (blocking.length > 0) throw new ApiError('CONFLICT', `tier ${tierName} still holds ${blocking.length} policies (${blocking.slice(0, 5).join(', ')}); move or delete them first`);
}
