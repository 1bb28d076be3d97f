// The GET form of Calico rules and specs: as written, with empty lists, empty strings and empty
// entity rules left out (Calico's Go types use omitempty/omitzero, and "" means "not set" for every
// selector field), keys in a fixed order.

import { sortedMap } from '../shared/label-map.ts';
import type { CalicoEntityRule } from './entity-rule.ts';
import { DEFAULT_TIER } from './policy-name.ts';
import { type CalicoPolicyType, defaultCalicoPolicyTypes, type PerformanceHint } from './policy-spec.ts';
import type { CalicoRule } from './rule.ts';

/** Copies the fields of `source` named in `keys` that are set: not undefined, not '', not []. */
function pick<T extends object>(source: T, keys: readonly (keyof T)[]): Partial<T> {
  const out: Partial<T> = {};
  for (const key of keys) {
    const value = source[key];
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) continue;
    out[key] = Array.isArray(value) ? ([...value] as T[keyof T]) : value;
  }
  return out;
}

export function storedEntityRule(entity: CalicoEntityRule | undefined): CalicoEntityRule | undefined {
  if (!entity) return undefined;
  const out = pick(entity, ['nets', 'notNets', 'selector', 'notSelector', 'namespaceSelector', 'ports', 'notPorts']);
  const accounts = entity.serviceAccounts && pick(entity.serviceAccounts, ['names', 'selector']);
  if (accounts && Object.keys(accounts).length > 0) out.serviceAccounts = accounts;
  if (entity.services) out.services = pick(entity.services, ['name', 'namespace']);
  return Object.keys(out).length > 0 ? out : undefined;
}

export function storedRule(rule: CalicoRule): CalicoRule {
  const out: CalicoRule = { action: rule.action, ...pick(rule, ['protocol', 'notProtocol', 'icmp', 'notICMP', 'ipVersion']) };
  const source = storedEntityRule(rule.source);
  const destination = storedEntityRule(rule.destination);
  if (source) out.source = source;
  if (destination) out.destination = destination;
  const annotations = sortedMap(rule.metadata?.annotations);
  if (annotations) out.metadata = { annotations };
  return out;
}

export interface CalicoPolicySpecInput {
  order?: number | undefined;
  tier?: string | undefined;
  selector?: string | undefined;
  types?: CalicoPolicyType[] | undefined;
  ingress?: CalicoRule[] | undefined;
  egress?: CalicoRule[] | undefined;
  serviceAccountSelector?: string | undefined;
  performanceHints?: PerformanceHint[] | undefined;
}

/** The defaulted spec fields every Calico policy kind stores: `tier` and `types` filled in as Calico does. */
export interface StoredCalicoPolicySpec {
  tier: string;
  order?: number;
  selector?: string;
  types: CalicoPolicyType[];
  ingress?: CalicoRule[];
  egress?: CalicoRule[];
  serviceAccountSelector?: string;
  performanceHints?: PerformanceHint[];
}

export function storedCalicoPolicySpec(spec: CalicoPolicySpecInput): StoredCalicoPolicySpec {
  return {
    tier: spec.tier || DEFAULT_TIER,
    ...(spec.order !== undefined && { order: spec.order }),
    ...(spec.selector && { selector: spec.selector }),
    types: defaultCalicoPolicyTypes(spec),
    ...(spec.ingress && spec.ingress.length > 0 && { ingress: spec.ingress.map(storedRule) }),
    ...(spec.egress && spec.egress.length > 0 && { egress: spec.egress.map(storedRule) }),
    ...(spec.serviceAccountSelector && { serviceAccountSelector: spec.serviceAccountSelector }),
    ...(spec.performanceHints && spec.performanceHints.length > 0 && { performanceHints: [...spec.performanceHints] }),
  };
}
