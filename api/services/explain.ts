// "Why was this dropped?" The answer comes from the same IR and the same evaluation order the
// dataplane compiles: the latest bundle's policy set, the inventory the cluster's agent last reported
// (PUT /v1/agent/inventory), and policy/evaluation's reachable(), whose trace names each tier, policy
// and rule (or tier default) that acted, for the client's egress and the server's ingress.
import { desc, eq } from 'drizzle-orm';
import { bundles, clusterInventories } from '../../db/schema/index.ts';
import { bundlePayloadSchema } from '../../policy/bundle/payload.ts';
import type { Evaluation, TraceEntry } from '../../policy/evaluation/evaluate.ts';
import { reachable } from '../../policy/evaluation/reachable.ts';
import { type Endpoint, endpointKey, type Inventory, inventorySchema } from '../../policy/inventory.ts';
import type { PolicySet } from '../../policy/ir.ts';
import { ApiError } from '../errors/api-error.ts';
import type { ExplainQuery, Explanation } from '../schemas/explain.ts';
import { findCluster } from './cluster-scope.ts';
import { inTenant, type TenantContext } from './context.ts';

const EMPTY_POLICY_SET: PolicySet = { tiers: [] };

// Bundles are immutable rows: their decoded policy sets are cached by bundle id.
const policySets = new Map<string, PolicySet>();
const POLICY_SET_CACHE = 32;

function policySetOf(bundle: { id: string; jws: string }): PolicySet {
  const cached = policySets.get(bundle.id);
  if (cached) return cached;
  // The JWS was verified when it was built and signed; here only its payload is read.
  const payload = bundle.jws.split('.')[1];
  if (payload === undefined) throw new Error(`bundle ${bundle.id} is not a compact JWS`);
  const decoded = bundlePayloadSchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  if (policySets.size >= POLICY_SET_CACHE) policySets.delete(policySets.keys().next().value!);
  policySets.set(bundle.id, decoded.policy);
  return decoded.policy;
}

const traceOf = (trace: readonly TraceEntry[]) => trace.map((t) => ({ tier: t.tier, policy: t.policyId, ruleIndex: t.ruleIndex, action: t.action }));

function directionOf(evaluation: Evaluation): Explanation['egress'] {
  return {
    verdict: evaluation.verdict,
    trace: traceOf(evaluation.trace),
    ...(evaluation.stagedVerdict !== undefined && { stagedVerdict: evaluation.stagedVerdict }),
    ...(evaluation.stagedTrace !== undefined && { stagedTrace: traceOf(evaluation.stagedTrace) }),
  };
}

function findEndpoint(inventory: Inventory, key: string, field: 'from' | 'to', family: 4 | 6): Endpoint {
  const endpoint = inventory.endpoints.find((e) => endpointKey(e) === key);
  if (!endpoint) {
    const message = `no pod ${key} in the cluster's inventory`;
    throw new ApiError('NOT_FOUND', message, { errors: [{ path: `query.${field}`, message }] });
  }
  if ((family === 4 ? endpoint.ipv4 : endpoint.ipv6).length === 0) {
    const message = `pod ${key} has no IPv${family} address in the cluster's inventory`;
    throw new ApiError('VALIDATION_FAILED', message, { errors: [{ path: `query.${field}`, message }] });
  }
  return endpoint;
}

/** Every role may ask: viewer and up. */
export async function explainConnection(ctx: TenantContext, input: { clusterId: string; query: ExplainQuery }): Promise<Explanation> {
  const { clusterId: id, query } = input;
  const { bundle, stored } = await inTenant(ctx, async (tx) => {
    const cluster = await findCluster(tx, id);
    const [bundle] = await tx
      .select({ id: bundles.id, revision: bundles.revision, jws: bundles.jws })
      .from(bundles)
      .where(eq(bundles.clusterId, cluster.id))
      .orderBy(desc(bundles.revision))
      .limit(1);
    const [stored] = await tx.select().from(clusterInventories).where(eq(clusterInventories.clusterId, cluster.id));
    return { bundle, stored };
  });
  if (!stored) {
    throw new ApiError(
      'NO_INVENTORY',
      `no endpoint inventory has been reported for cluster ${id} yet: explanations resolve pods against the inventory the cluster's agent sends ` +
        `(PUT /v1/agent/inventory, after it reads its pods and applies a bundle). Install or upgrade the palisade agent on the cluster's nodes ` +
        `and check that it is connected (GET /v1/clusters/${id}/agents), then ask again.`,
    );
  }
  // Validated when it was stored; parsing again gives the typed model (and survives older rows).
  const inventory = inventorySchema.parse(stored.inventory);
  findEndpoint(inventory, query.from, 'from', query.family);
  findEndpoint(inventory, query.to, 'to', query.family);
  const policySet = bundle ? policySetOf(bundle) : EMPTY_POLICY_SET;
  const result = reachable(inventory, policySet, query.from, query.to, query.port, query.protocol, { family: query.family });
  return {
    verdict: result.allowed ? 'allow' : 'deny',
    from: query.from,
    to: query.to,
    port: query.port,
    protocol: query.protocol,
    revision: bundle?.revision ?? null,
    inventoryHash: stored.hash,
    inventoryReportedBy: stored.reportedBy,
    inventoryReportedAt: stored.reportedAt.toISOString(),
    egress: directionOf(result.egress),
    ingress: directionOf(result.ingress),
    ...(result.sameEndpoint && { sameEndpoint: true as const }),
  };
}
