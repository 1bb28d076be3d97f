// A unified diff of two texts, as `diff -u` and `git diff` print it: `---`/`+++` labels, then hunks
// of changed lines with up to `context` unchanged lines around them; hunks closer than twice the
// context merge. Texts are compared line by line (a final newline ends the last line).
import { diffLines, type Edit } from './line-diff.ts';

const CONTEXT_LINES = 3;

const linesOf = (text: string) => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));

/** `start,count` (the count left out when 1, as GNU diff does); an empty side names the line before it. */
function range(start: number, count: number): string {
  if (count === 0) return `${start},0`;
  return count === 1 ? `${start + 1}` : `${start + 1},${count}`;
}

/** Returns '' when the texts are equal. */
export function unifiedDiff(before: string, after: string, labels: { before: string; after: string }, context = CONTEXT_LINES): string {
  const edits = diffLines(linesOf(before), linesOf(after));
  const changed = edits.flatMap((edit, index) => (edit.op === 'equal' ? [] : [index]));
  if (changed.length === 0) return '';

  // Hunks as [first, last] edit indexes, context included.
  const hunks: [number, number][] = [];
  for (const index of changed) {
    const last = hunks.at(-1);
    if (last && index - last[1] <= 2 * context + 1) last[1] = index;
    else hunks.push([index, index]);
  }

  // Line positions before each edit, to number the hunks.
  const beforeAt: number[] = [];
  const afterAt: number[] = [];
  let beforeLine = 0;
  let afterLine = 0;
  for (const edit of edits) {
    beforeAt.push(beforeLine);
    afterAt.push(afterLine);
    if (edit.op !== 'insert') beforeLine++;
    if (edit.op !== 'delete') afterLine++;
  }

  const out = [`--- ${labels.before}`, `+++ ${labels.after}`];
  for (const [firstChange, lastChange] of hunks) {
    const first = Math.max(0, firstChange - context);
    const last = Math.min(edits.length - 1, lastChange + context);
    const slice: Edit[] = edits.slice(first, last + 1);
    const beforeCount = slice.filter((edit) => edit.op !== 'insert').length;
    const afterCount = slice.filter((edit) => edit.op !== 'delete').length;
    out.push(`@@ -${range(beforeAt[first]!, beforeCount)} +${range(afterAt[first]!, afterCount)} @@`);
    for (const edit of slice) out.push(`${edit.op === 'equal' ? ' ' : edit.op === 'delete' ? '-' : '+'}${edit.line}`);
  }
  return `${out.join('\n')}\n`;
}
