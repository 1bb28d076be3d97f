// The Preview's and the audit log's line diff: unchanged lines kept, changes as removed then added.
import { describe, expect, it } from 'vitest';
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
