// podSelectorCandidates only narrows which endpoints a peer's selector is tried on: for any selector,
// every endpoint it matches is among the candidates, and the candidates keep the inventory's order.
import { describe, expect, it } from 'vitest';
import { indexInventory } from '../../../policy/evaluation/inventory-index.ts';
import { podSelectorCandidates } from '../../../policy/evaluation/label-index.ts';
import type { Selector } from '../../../policy/ir.ts';
import { matches } from '../../../policy/selector/match.ts';
import { inventory, pod } from './factories.ts';

const index = indexInventory(
  inventory([
    pod('x/a', { labels: { app: 'web', tier: 'front' } }),
    pod('x/b', { labels: { app: 'db' } }),
    pod('y/a', { labels: { app: 'web' }, serviceAccount: { name: 'web', labels: {} } }),
    // labels named like Object.prototype's members are data (as JSON.parse gives them)
    pod('y/b', { labels: JSON.parse('{"__proto__":"odd","constructor":"x"}') }),
  ]),
);
const names = (endpoints: readonly { key: string }[]) => endpoints.map((e) => e.key);

const selectors: Selector[] = [
  { op: 'all' },
  { op: 'none' },
  { op: 'eq', key: 'app', value: 'web' },
  { op: 'eq', key: 'app', value: 'nothing' },
  { op: 'eq', key: 'projectcalico.org/namespace', value: 'y' },
  { op: 'eq', key: 'projectcalico.org/serviceaccount', value: 'web' },
  { op: 'eq', key: 'constructor', value: 'x' },
  { op: 'eq', key: '__proto__', value: 'odd' },
  { op: 'eq', key: 'toString', value: 'x' },
  { op: 'neq', key: 'app', value: 'web' },
  { op: 'and', args: [] },
  {
    op: 'and',
    args: [
      { op: 'eq', key: 'app', value: 'web' },
      { op: 'eq', key: 'tier', value: 'front' },
    ],
  },
  {
    op: 'and',
    args: [
      { op: 'has', key: 'app' },
      { op: 'notIn', key: 'app', values: ['db'] },
    ],
  },
  {
    op: 'or',
    args: [
      { op: 'eq', key: 'app', value: 'db' },
      { op: 'eq', key: 'tier', value: 'front' },
    ],
  },
  { op: 'not', arg: { op: 'eq', key: 'app', value: 'web' } },
];

describe('podSelectorCandidates', () => {
  it.each(selectors.map((s) => [JSON.stringify(s), s] as const))('holds every endpoint %s matches, in inventory order', (_, selector) => {
    const candidates = podSelectorCandidates(index, selector);
    const matching = index.endpoints.filter((e) => matches(selector, e.selectorLabels));
    expect(names(candidates.filter((e) => matches(selector, e.selectorLabels)))).toEqual(names(matching));
    const order = names(index.endpoints);
    const positions = names(candidates).map((key) => order.indexOf(key));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('narrows an eq term, alone or in a conjunction, to the endpoints carrying the label', () => {
    expect(names(podSelectorCandidates(index, { op: 'eq', key: 'app', value: 'web' }))).toEqual(['x/a', 'y/a']);
    const both: Selector = {
      op: 'and',
      args: [
        { op: 'eq', key: 'app', value: 'web' },
        { op: 'eq', key: 'tier', value: 'front' },
      ],
    };
    expect(names(podSelectorCandidates(index, both))).toEqual(['x/a']);
  });
});
