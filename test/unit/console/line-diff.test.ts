// The Preview's and the audit log's line diff: unchanged lines kept, changes as removed then added.
import { describe, expect, it } from 'vitest';
import { sortedKeys } from '../../../console/src/policies/key-order.ts';
import { lineDiff } from '../../../console/src/policies/line-diff.ts';

describe('line diff', () => {
  it('keeps common lines and marks the changed ones', () => {
    expect(lineDiff('a\nb\nc', 'a\nx\nc\nd')).toEqual([
      { kind: 'same', text: 'a' },
      { kind: 'removed', text: 'b' },
      { kind: 'added', text: 'x' },
      { kind: 'same', text: 'c' },
      { kind: 'added', text: 'd' },
    ]);
  });

  it('shows a creation as all added and a deletion as all removed', () => {
    expect(lineDiff('', 'a\nb').map((line) => line.kind)).toEqual(['added', 'added']);
    expect(lineDiff('a', '').map((line) => line.kind)).toEqual(['removed']);
  });
});

describe('key order of a previewed manifest', () => {
  it('sorts keys at every depth, keeping array order, so a stored and a typed manifest differ only where they change', () => {
    const stored = {
      kind: 'NetworkPolicy',
      spec: { ingress: [{ from: [], ports: [{ port: 8080 }] }], podSelector: {} },
      metadata: { name: 'a' },
      apiVersion: 'v1',
    };
    const typed = {
      apiVersion: 'v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'a' },
      spec: { podSelector: {}, ingress: [{ ports: [{ port: 8080 }], from: [] }] },
    };
    expect(JSON.stringify(sortedKeys(stored))).toBe(JSON.stringify(sortedKeys(typed)));
    expect(Object.keys(sortedKeys(stored) as object)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(sortedKeys([3, { b: 1, a: 2 }])).toEqual([3, { a: 2, b: 1 }]);
  });
});
