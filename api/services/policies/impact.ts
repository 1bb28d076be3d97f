// Impact preview: the cluster's observed flows since a time, evaluated against the policy set a dry
// run would produce, with the reference evaluator (policy/evaluation/impact.ts). Only the flows of
// endpoint directions whose resolved policy the change touches are read (the others cannot flip), and
// the SQL groups identical flow keys first, so each distinct flow is evaluated once however many rows
// recorded it. The read goes newest first in time slices until its share of the budget is spent
// (impact-flow-read.ts); the busiest flows of what was read come first, and past MAX_FLOWS distinct
// flows, PREVIEW_BUDGET_MS from the start, or a window read short the answer says it sampled. Read in
// its own transaction, after the write service's checks have released the tenant's lock.
import { eq } from 'drizzle-orm';
import { clusterInventories } from '../../../db/schema/index.ts';
import { evaluateImpact, planImpact, type VerdictChange } from '../../../policy/evaluation/impact.ts';
import { endpointKey, type Inventory, inventorySchema } from '../../../policy/inventory.ts';
import type { NormalisedResource } from '../../../policy/kinds/define.ts';
import { policySetFromResources } from '../../../policy/policy-set-from-objects.ts';
import { workloadOf } from '../../../policy/workload.ts';
import { ApiError } from '../../errors/api-error.ts';
import type { Impact } from '../../schemas/impact.ts';
import { inTenant, type TenantContext } from '../context.ts';
import { readFlowKeys } from './impact-flow-read.ts';

/** Distinct flows read at most: at a few microseconds each, well inside the 2 s the preview promises. */
const MAX_FLOWS = 50_000;
/**
 * Evaluation stops this long after the preview started, the read included, and the answer says it
 * sampled: with the dry run's own checks, the answer stays within the 2 s issue 12 promises however
 * many rows the window holds and whatever the flows' policies cost.
 */
const PREVIEW_BUDGET_MS = 1_500;
/** The read starts no slice past this share of the budget, leaving the rest to evaluation. */
const READ_SHARE = 2 / 3;
/** The busiest flows are evaluated for at least this long, however long the read took. */
const MIN_EVALUATION_MS = 200;
/** Groups returned at most, largest first; the rest are counted. */
const MAX_GROUPS = 500;

export interface ImpactRequest {
  clusterId: string;
  before: Iterable<NormalisedResource>;
  after: Iterable<NormalisedResource>;
  since: Date;
}

export interface ImpactOptions {
  clock?: () => number;
  /** The preview's time budget, PREVIEW_BUDGET_MS unless a test makes it tiny. */
  budgetMs?: number;
}

export async function previewImpact(ctx: TenantContext, request: ImpactRequest, options: ImpactOptions = {}): Promise<Impact> {
  const { clock = Date.now, budgetMs = PREVIEW_BUDGET_MS } = options;
  const started = clock();
  const read = await inTenant(ctx, async (tx) => {
    const [stored] = await tx.select().from(clusterInventories).where(eq(clusterInventories.clusterId, request.clusterId));
    if (!stored) return undefined;
    // Validated when it was stored; parsing again gives the typed model (and survives older rows).
    const inventory = inventorySchema.parse(stored.inventory);
    const plan = planImpact(inventory, policySetFromResources([...request.before]), policySetFromResources([...request.after]));
    if (plan.changed.length === 0) return { stored, inventory, plan, window: { flows: [], rows: 0, since: request.since } };
    const window = await readFlowKeys(tx, {
      clusterId: request.clusterId,
      since: request.since,
      touched: plan.changed.map((change) => `${change.direction} ${change.endpoint}`),
      deadline: started + budgetMs * READ_SHARE,
      clock,
    });
    return { stored, inventory, plan, window };
  });
  if (!read) {
    throw new ApiError(
      'NO_INVENTORY',
      `no endpoint inventory has been reported for cluster ${request.clusterId} yet: the impact preview resolves pods against the inventory the ` +
        `cluster's agent sends (PUT /v1/agent/inventory). Check the agents (GET /v1/clusters/${request.clusterId}/agents), or leave out impact=true.`,
    );
  }
  const { stored, inventory, plan, window } = read;
  const flows = window.flows.slice(0, MAX_FLOWS);
  const deadline = Math.max(started + budgetMs, clock() + MIN_EVALUATION_MS);
  const result = evaluateImpact(plan, flows, { shouldStop: () => clock() > deadline });
  const done = result.evaluated + result.unresolved;
  const rowsDone = flows.slice(0, done).reduce((sum, flow) => sum + flow.rows, 0);
  const readShort = window.since.getTime() > request.since.getTime();
  const groups = groupChanges(result.changes, inventory);
  return {
    since: request.since.toISOString(),
    inventoryHash: stored.hash,
    flowsEvaluated: result.evaluated,
    unresolved: result.unresolved,
    totals: {
      allowToDeny: sumOf(result.changes.filter((c) => c.after === 'deny')),
      denyToAllow: sumOf(result.changes.filter((c) => c.after === 'allow')),
    },
    changes: groups.slice(0, MAX_GROUPS),
    ...(groups.length > MAX_GROUPS && { changesOmitted: groups.length - MAX_GROUPS }),
    ...((rowsDone < window.rows || readShort) && { sampled: { rows: rowsDone, of: window.rows, since: window.since.toISOString() } }),
  };
}

const sumOf = (changes: readonly VerdictChange[]) => changes.reduce((sum, change) => sum + change.flow.count, 0);

/** Pods by address, so a remote inside the cluster reads as its workload. */
function workloadsByAddress(inventory: Inventory): Map<string, string> {
  const byAddress = new Map<string, string>();
  for (const endpoint of inventory.endpoints) {
    for (const address of [...endpoint.ipv4, ...endpoint.ipv6]) byAddress.set(address, workloadOf(endpoint.namespace, endpoint.name));
  }
  return byAddress;
}

function endpointWorkload(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? key : workloadOf(key.slice(0, slash), key.slice(slash + 1));
}

function groupChanges(changes: readonly VerdictChange[], inventory: Inventory): Impact['changes'] {
  const byAddress = workloadsByAddress(inventory);
  const known = new Set(inventory.endpoints.map(endpointKey));
  // Many changes share an endpoint: its workload name (a pattern match) is worked out once.
  const locals = new Map<string, string>();
  const groups = new Map<string, Impact['changes'][number]>();
  for (const { flow, after, decidedBy } of changes) {
    let local = locals.get(flow.endpoint);
    if (local === undefined) {
      local = known.has(flow.endpoint) ? endpointWorkload(flow.endpoint) : flow.endpoint;
      locals.set(flow.endpoint, local);
    }
    const remote = byAddress.get(flow.remote) ?? flow.remote;
    const [source, destination] = flow.direction === 'egress' ? [local, remote] : [remote, local];
    const change = after === 'deny' ? ('allowToDeny' as const) : ('denyToAllow' as const);
    // Workload names, addresses, tiers and policy ids hold no newline: it separates the parts unambiguously.
    const decider = decidedBy ? `${decidedBy.tier}\n${decidedBy.policyId}\n${decidedBy.ruleIndex}\n${decidedBy.action}` : '';
    const key = `${change}\n${flow.direction}\n${source}\n${destination}\n${flow.protocol}\n${flow.port}\n${decider}`;
    const group = groups.get(key);
    if (group) {
      group.count += flow.count;
      group.flows += 1;
    } else {
      groups.set(key, {
        change,
        direction: flow.direction,
        source,
        destination,
        protocol: flow.protocol,
        port: flow.port,
        count: flow.count,
        flows: 1,
        decidedBy: decidedBy && { tier: decidedBy.tier, policy: decidedBy.policyId, ruleIndex: decidedBy.ruleIndex, action: decidedBy.action },
      });
    }
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || b.flows - a.flows);
}
