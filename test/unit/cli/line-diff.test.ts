// The CLI's line diff: each edit script rebuilds both texts, and it is as short as an edit script can
// be (its unchanged lines are a longest common subsequence, checked against the textbook DP table).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffLines, type Edit } from '../../../cli/diff/line-diff.ts';

const before = (edits: Edit[]) => edits.filter((edit) => edit.op !== 'insert').map((edit) => edit.line);
const after = (edits: Edit[]) => edits.filter((edit) => edit.op !== 'delete').map((edit) => edit.line);

function longestCommonSubsequence(a: readonly string[], b: readonly string[]): number {
  const table = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) table[i]![j] = a[i - 1] === b[j - 1] ? table[i - 1]![j - 1]! + 1 : Math.max(table[i - 1]![j]!, table[i]![j - 1]!);
  }
  return table[a.length]![b.length]!;
}

describe('diffLines', () => {
  it.each([
    { a: [], b: [], script: '' },
    { a: ['x'], b: ['x'], script: '=x' },
    { a: [], b: ['x', 'y'], script: '+x +y' },
    { a: ['x', 'y'], b: [], script: '-x -y' },
    { a: ['a', 'b', 'c'], b: ['a', 'B', 'c'], script: '=a -b +B =c' },
    { a: ['a', 'b', 'c', 'd'], b: ['a', 'c', 'd', 'e'], script: '=a -b =c =d +e' },
  ])('$a -> $b', ({ a, b, script }) => {
    const symbols = { equal: '=', delete: '-', insert: '+' };
    expect(
      diffLines(a, b)
        .map((edit) => `${symbols[edit.op]}${edit.line}`)
        .join(' '),
    ).toBe(script);
  });

  it('rebuilds both sides with the fewest changes', () => {
    const lines = fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 30 });
    fc.assert(
      fc.property(lines, lines, (a, b) => {
        const edits = diffLines(a, b);
        expect(before(edits)).toEqual(a);
        expect(after(edits)).toEqual(b);
        expect(edits.filter((edit) => edit.op === 'equal')).toHaveLength(longestCommonSubsequence(a, b));
      }),
      { numRuns: 500 },
    );
  });
});
