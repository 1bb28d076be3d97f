// Evaluates an IR selector against one object's labels. Shared by the API (explain), the lab and the
// agent, so all three agree on which endpoints a policy selects.
//
// Absent keys: a negative term matches an object that lacks the key. This is Kubernetes' rule
// (k8s.io/apimachinery pkg/labels/selector.go, Requirement.Matches: NotIn and != are true when the
// label is missing) and Calico's (docs "Selectors": `k != 'v'` and `k not in {...}` match endpoints
// without k). Positive terms (eq, in, contains, startsWith, endsWith) need the key present.
import type { Selector } from '../ir.ts';

export type Labels = Readonly<Record<string, string>>;

/** Own properties only: a label named "constructor" or "__proto__" is data, not the prototype's. */
function labelValue(labels: Labels, key: string): string | undefined {
  return Object.hasOwn(labels, key) ? labels[key] : undefined;
}

export function matches(selector: Selector, labels: Labels): boolean {
  switch (selector.op) {
    case 'all':
      return true;
    case 'none':
      return false;
    case 'has':
      return labelValue(labels, selector.key) !== undefined;
    case 'notHas':
      return labelValue(labels, selector.key) === undefined;
    case 'eq':
      return labelValue(labels, selector.key) === selector.value;
    case 'neq':
      return labelValue(labels, selector.key) !== selector.value;
    case 'in': {
      const value = labelValue(labels, selector.key);
      return value !== undefined && selector.values.includes(value);
    }
    case 'notIn': {
      const value = labelValue(labels, selector.key);
      return value === undefined || !selector.values.includes(value);
    }
    case 'contains':
    case 'startsWith':
    case 'endsWith': {
      const value = labelValue(labels, selector.key);
      if (value === undefined) return false;
      if (selector.op === 'contains') return value.includes(selector.value);
      return selector.op === 'startsWith' ? value.startsWith(selector.value) : value.endsWith(selector.value);
    }
    // An empty conjunction is true and an empty disjunction false, their identity elements.
    case 'and':
      return selector.args.every((arg) => matches(arg, labels));
    case 'or':
      return selector.args.some((arg) => matches(arg, labels));
    case 'not':
      return !matches(selector.arg, labels);
  }
}
