// Small constructors for IR selectors, so every normaliser spells the same meaning the same way
// (a bundle's bytes then depend only on the policy, not on which kind wrote it).
import { NAMESPACE_NAME_LABEL, type Selector } from '../ir.ts';

/** Fresh objects each time, so no two IR trees share a node that one caller could change. */
export function selectAll(): Selector {
  return { op: 'all' };
}

/** Conjunction without needless nesting: no terms select everything, one term is itself. */
export function allOf(terms: Selector[]): Selector {
  if (terms.length === 0) return selectAll();
  if (terms.length === 1) return terms[0] as Selector;
  return { op: 'and', args: terms };
}

/** The namespace called `namespace`, by the label the API server puts on every namespace. */
export function namespaceNamed(namespace: string): Selector {
  return { op: 'eq', key: NAMESPACE_NAME_LABEL, value: namespace };
}
