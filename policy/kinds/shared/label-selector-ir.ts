// metav1.LabelSelector -> IR selector. Meaning from k8s.io/apimachinery pkg/labels/selector.go
// (LabelSelectorAsSelector and Requirement.Matches): every term must hold; `{}` matches everything.
import type { Selector } from '../../ir.ts';
import { allOf } from '../../selector/build.ts';
import type { LabelSelector, LabelSelectorRequirement } from './label-selector.ts';

function requirementToSelector({ key, operator, values = [] }: LabelSelectorRequirement): Selector {
  // Values are a set in Kubernetes; sorted and unique they give one IR for equal selectors.
  const set = [...new Set(values)].sort();
  switch (operator) {
    case 'In':
      return { op: 'in', key, values: set };
    case 'NotIn':
      return { op: 'notIn', key, values: set };
    case 'Exists':
      return { op: 'has', key };
    case 'DoesNotExist':
      return { op: 'notHas', key };
  }
}

/** matchLabels (by key) then matchExpressions (as written), ANDed. */
export function labelSelectorToSelector(selector: LabelSelector): Selector {
  const labels = Object.entries(selector.matchLabels ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]): Selector => ({ op: 'eq', key, value }));
  return allOf([...labels, ...(selector.matchExpressions ?? []).map(requirementToSelector)]);
}
