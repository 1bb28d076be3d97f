// The CLI's unified diff prints what GNU `diff -u` prints for the same texts (the expected outputs
// below are diff 3.8's): hunk ranges, three lines of context, nearby hunks merged, empty sides.
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../../cli/diff/unified-diff.ts';

const numbered = (count: number, replace: Record<number, string> = {}) => `${Array.from({ length: count }, (_, i) => replace[i] ?? `l${i}`).join('\n')}\n`;
const labels = { before: 'A', after: 'B' };

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('x\ny\n', 'x\ny\n', labels)).toBe('');
    expect(unifiedDiff('', '', labels)).toBe('');
  });

  it('prints one changed line with its context, counts of 1 left out', () => {
    expect(unifiedDiff('a\nb\nc\n', 'a\nB\nc\n', labels)).toBe('--- A\n+++ B\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n');
  });

  it('keeps distant changes in separate hunks and merges close ones', () => {
    expect(unifiedDiff(numbered(20), numbered(20, { 2: 'X', 17: 'Y' }), labels)).toBe(
      '--- A\n+++ B\n@@ -1,6 +1,6 @@\n l0\n l1\n-l2\n+X\n l3\n l4\n l5\n@@ -15,6 +15,6 @@\n l14\n l15\n l16\n-l17\n+Y\n l18\n l19\n',
    );
    expect(unifiedDiff(numbered(12), numbered(12, { 2: 'X', 9: 'Y' }), labels)).toBe(
      '--- A\n+++ B\n@@ -1,12 +1,12 @@\n l0\n l1\n-l2\n+X\n l3\n l4\n l5\n l6\n l7\n l8\n-l9\n+Y\n l10\n l11\n',
    );
  });

  it('numbers an empty side from 0', () => {
    expect(unifiedDiff('', 'a\nb\n', labels)).toBe('--- A\n+++ B\n@@ -0,0 +1,2 @@\n+a\n+b\n');
    expect(unifiedDiff('a\nb\n', '', labels)).toBe('--- A\n+++ B\n@@ -1,2 +0,0 @@\n-a\n-b\n');
  });

  it('prints deletions and insertions in one hunk', () => {
    expect(unifiedDiff('a\nb\nc\nd\n', 'a\nc\nd\ne\n', labels)).toBe('--- A\n+++ B\n@@ -1,4 +1,4 @@\n a\n-b\n c\n d\n+e\n');
  });
});
