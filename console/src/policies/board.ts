// The policy board's order: every policy placed in the tier that evaluates it, tiers in evaluation
// order (admin network policies, the tenant's tiers by their order, default, baseline), policies by
// their order inside a tier, ties by name, as DESIGN.md's policy semantics and Calico 3.30 order them.
// Objects that are not evaluated in a tier (Tier, network sets, bandwidth) are listed apart.
// Pure: the board page renders what this returns.
import type { Policy } from '../client/types.ts';

/** The built-in tiers' orders (DESIGN.md "Policy semantics"; policy/ir.ts TIER_ORDER on the server). */
export const ADMIN_TIER = { name: 'adminnetworkpolicy', order: 1_000 };
export const DEFAULT_TIER = { name: 'default', order: 1_000_000 };
export const BASELINE_TIER = { name: 'baselineadminnetworkpolicy', order: 10_000_000 };
/** Kubernetes NetworkPolicies sit in the default tier at this order (Calico's convention). */
const KUBERNETES_POLICY_ORDER = 1_000;

export interface BoardPolicy {
  policy: Policy;
  order: number | undefined;
  selector: string;
  staged: boolean;
}

export interface BoardTier {
  name: string;
  /** undefined when policies name a tier that has no Tier object (Calico refuses those; shown last). */
  order: number | undefined;
  policies: BoardPolicy[];
}

export interface Board {
  tiers: BoardTier[];
  /** Tiers, network sets and bandwidth policies: not evaluated as rules. */
  others: Policy[];
}

type Spec = Record<string, unknown>;
// The defaulted form: what the server evaluates (a tier or order left out reads as its default).
const specOf = (policy: Policy): Spec => (policy.manifestWithDefaults.spec ?? {}) as Spec;
const numberOr = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

function labelSelector(selector: unknown): string {
  if (selector === undefined || selector === null) return 'all pods';
  const { matchLabels, matchExpressions } = selector as {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  };
  const parts = [
    ...Object.entries(matchLabels ?? {}).map(([key, value]) => `${key}=${value}`),
    ...(matchExpressions ?? []).map((expression) => `${expression.key} ${expression.operator}${expression.values ? ` (${expression.values.join(', ')})` : ''}`),
  ];
  return parts.length === 0 ? 'all' : parts.join(', ');
}

function subjectSelector(subject: unknown): string {
  const { namespaces, pods } = (subject ?? {}) as { namespaces?: unknown; pods?: { namespaceSelector?: unknown; podSelector?: unknown } };
  if (pods) return `namespaces ${labelSelector(pods.namespaceSelector)}; pods ${labelSelector(pods.podSelector)}`;
  return `namespaces ${labelSelector(namespaces)}`;
}

/** Where a policy is evaluated, or undefined for objects that are not policies. */
function placement(policy: Policy): { tier: string; order: number | undefined; selector: string } | undefined {
  const spec = specOf(policy);
  const group = policy.apiVersion.split('/')[0];
  if (policy.kind === 'AdminNetworkPolicy') return { tier: ADMIN_TIER.name, order: numberOr(spec.priority), selector: subjectSelector(spec.subject) };
  if (policy.kind === 'BaselineAdminNetworkPolicy') return { tier: BASELINE_TIER.name, order: undefined, selector: subjectSelector(spec.subject) };
  if (policy.kind === 'ClusterNetworkPolicy') {
    const tier = spec.tier === 'Baseline' ? BASELINE_TIER.name : ADMIN_TIER.name;
    return { tier, order: numberOr(spec.priority), selector: subjectSelector(spec.subject) };
  }
  if (group === 'networking.k8s.io' || policy.kind === 'StagedKubernetesNetworkPolicy') {
    return { tier: DEFAULT_TIER.name, order: KUBERNETES_POLICY_ORDER, selector: labelSelector(spec.podSelector) };
  }
  if (['NetworkPolicy', 'GlobalNetworkPolicy', 'StagedNetworkPolicy', 'StagedGlobalNetworkPolicy'].includes(policy.kind)) {
    return {
      tier: typeof spec.tier === 'string' && spec.tier !== '' ? spec.tier : DEFAULT_TIER.name,
      order: numberOr(spec.order),
      selector: typeof spec.selector === 'string' ? spec.selector : 'all()',
    };
  }
  return undefined;
}

const byOrderThenName = (a: { order: number | undefined; name: string }, b: { order: number | undefined; name: string }) =>
  (a.order ?? Number.POSITIVE_INFINITY) - (b.order ?? Number.POSITIVE_INFINITY) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function boardOf(policies: readonly Policy[]): Board {
  const tierOrders = new Map<string, number | undefined>([
    [ADMIN_TIER.name, ADMIN_TIER.order],
    [DEFAULT_TIER.name, DEFAULT_TIER.order],
    [BASELINE_TIER.name, BASELINE_TIER.order],
  ]);
  for (const policy of policies) {
    if (policy.kind === 'Tier' && !tierOrders.has(policy.name)) tierOrders.set(policy.name, numberOr(specOf(policy).order));
  }
  const tiers = new Map<string, BoardTier>();
  const others: Policy[] = [];
  for (const policy of policies) {
    const placed = placement(policy);
    if (!placed) {
      others.push(policy);
      continue;
    }
    let tier = tiers.get(placed.tier);
    if (!tier) {
      tier = { name: placed.tier, order: tierOrders.get(placed.tier), policies: [] };
      tiers.set(placed.tier, tier);
    }
    tier.policies.push({ policy, order: placed.order, selector: placed.selector, staged: policy.kind.startsWith('Staged') });
  }
  // Tiers with no policies yet still show, so a new Tier object is visible where it will evaluate.
  for (const [name, order] of tierOrders) if (!tiers.has(name)) tiers.set(name, { name, order, policies: [] });
  const sorted = [...tiers.values()].sort(byOrderThenName);
  for (const tier of sorted) tier.policies.sort((a, b) => byOrderThenName({ order: a.order, name: a.policy.name }, { order: b.order, name: b.policy.name }));
  return { tiers: sorted, others: others.sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name)) };
}
