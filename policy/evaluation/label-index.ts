// The endpoints a pod selector can select, found through an index of their selector labels by key
// and value: a rule naming one pod by label looks at the endpoints carrying that label instead of
// matching every endpoint of the inventory (1,000 such rules over 1,000 endpoints were a million
// selector matches before the agent's first apply). The answer is a superset, in inventory order:
// callers still match each candidate (endpointMatches), so the index changes which endpoints are
// tried, never which ones match.
import type { Selector } from '../ir.ts';
import type { IndexedEndpoint, InventoryIndex } from './inventory-index.ts';

type LabelIndex = Map<string, Map<string, IndexedEndpoint[]>>;

const built = new WeakMap<InventoryIndex, LabelIndex>();

function labelIndexOf(index: InventoryIndex): LabelIndex {
  let labels = built.get(index);
  if (labels) return labels;
  labels = new Map();
  for (const endpoint of index.endpoints) {
    for (const [key, value] of Object.entries(endpoint.selectorLabels)) {
      let byValue = labels.get(key);
      if (!byValue) {
        byValue = new Map();
        labels.set(key, byValue);
      }
      const list = byValue.get(value);
      if (list) list.push(endpoint);
      else byValue.set(value, [endpoint]);
    }
  }
  built.set(index, labels);
  return labels;
}

/**
 * Every endpoint `podSelector` can match, in the inventory's order: those carrying the label an `eq`
 * term names, the fewest any term of an `and` allows, every endpoint for any other selector.
 */
export function podSelectorCandidates(index: InventoryIndex, podSelector: Selector): readonly IndexedEndpoint[] {
  switch (podSelector.op) {
    case 'eq':
      return labelIndexOf(index).get(podSelector.key)?.get(podSelector.value) ?? [];
    case 'and': {
      let fewest: readonly IndexedEndpoint[] = index.endpoints;
      for (const arg of podSelector.args) {
        const candidates = podSelectorCandidates(index, arg);
        if (candidates.length < fewest.length) fewest = candidates;
      }
      return fewest;
    }
    default:
      return index.endpoints;
  }
}
