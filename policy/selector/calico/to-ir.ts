// A Calico selector's syntax tree as an IR Selector, for the place it is written in.
//
// Calico evaluates every selector against one label map per endpoint, into which it copies the
// namespace's labels with the prefix `pcns.` and sets `projectcalico.org/namespace` on namespaced
// endpoints only (libcalico-go updateprocessors/rules.go, getEndpointSelector). In a namespace
// selector it rewrites `all()` to `has(projectcalico.org/namespace)` and `global()` to its negation.
// The IR evaluates a namespace selector against the namespace's labels, where every namespace carries
// NAMESPACE_NAME_LABEL and non-namespaced things (global network sets) carry nothing, so:
//   - `all()`    -> has(kubernetes.io/metadata.name): every namespaced endpoint, nothing global;
//   - `global()` -> !has(kubernetes.io/metadata.name): only non-namespaced things;
//   - `projectcalico.org/name` (Calico's namespace-name label) -> kubernetes.io/metadata.name, which
//     the API server sets to the same value on every namespace.
import { NAMESPACE_NAME_LABEL, type Selector } from '../../ir.ts';
import { type CalicoNode, SelectorSyntaxError } from './ast.ts';

/**
 * - `labels`: an endpoint (or service account) selector; `global()` is refused.
 * - `namespace`: a policy's own namespaceSelector (GlobalNetworkPolicy); `global()` is refused.
 * - `ruleNamespace`: a rule's namespaceSelector, where `global()` is allowed, alone.
 */
export type SelectorScope = 'labels' | 'namespace' | 'ruleNamespace';

/** Calico's automatic namespace label, the name of the namespace (docs "Calico automatic labels"). */
export const CALICO_NAMESPACE_NAME_LABEL = 'projectcalico.org/name';

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

function convert(node: CalicoNode, scope: SelectorScope, isRoot: boolean): Selector {
  const inNamespace = scope !== 'labels';
  const key = (k: string) => (inNamespace && k === CALICO_NAMESPACE_NAME_LABEL ? NAMESPACE_NAME_LABEL : k);
  switch (node.type) {
    case 'all':
      return inNamespace ? { op: 'has', key: NAMESPACE_NAME_LABEL } : { op: 'all' };
    case 'global':
      // Calico: "global() can only be used in an EntityRule namespaceSelector" and "global() cannot
      // be combined with other selectors" (libcalico-go validator/v3 validateEntityRule).
      if (scope !== 'ruleNamespace') {
        throw new SelectorSyntaxError(node.column, "global() can only be used in a rule's namespaceSelector");
      }
      if (!isRoot) throw new SelectorSyntaxError(node.column, 'global() cannot be combined with other selectors');
      return { op: 'notHas', key: NAMESPACE_NAME_LABEL };
    case 'has':
      return { op: 'has', key: key(node.key) };
    case 'compare':
      return { op: node.op, key: key(node.key), value: node.value };
    case 'set':
      // Calico keeps the values as a sorted set; so does the IR, for one spelling per meaning.
      return { op: node.op, key: key(node.key), values: sortedUnique(node.values) };
    case 'not': {
      // The IR has single nodes for the two common negations.
      const arg = convert(node.arg, scope, false);
      if (arg.op === 'has') return { op: 'notHas', key: arg.key };
      if (arg.op === 'all') return { op: 'none' };
      return { op: 'not', arg };
    }
    case 'and':
    case 'or':
      return { op: node.type, args: node.args.map((arg) => convert(arg, scope, false)) };
  }
}

/** Converts a parsed selector; throws SelectorSyntaxError when `global()` is misplaced. */
export function calicoSyntaxToSelector(node: CalicoNode, scope: SelectorScope): Selector {
  return convert(node, scope, true);
}
