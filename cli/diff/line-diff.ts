// The shortest edit script between two lists of lines (Myers, "An O(ND) Difference Algorithm and Its
// Variations", 1986): walk diagonals of equal lines, keep for each edit count d the furthest x reached
// on every diagonal k = x - y, then walk back from the end through the saved frontiers.

export type Edit = { op: 'equal' | 'delete' | 'insert'; line: string };

export function diffLines(before: readonly string[], after: readonly string[]): Edit[] {
  const n = before.length;
  const m = after.length;
  const max = n + m;
  const offset = max + 1;
  /** frontier[k + offset]: the furthest x on diagonal k; one copy saved per d for the walk back. */
  let frontier = new Int32Array(2 * max + 3);
  const saved: Int32Array[] = [];
  const down = (k: number, d: number, v: Int32Array) => k === -d || (k !== d && v[k - 1 + offset]! < v[k + 1 + offset]!);

  search: for (let d = 0; d <= max; d++) {
    saved.push(frontier);
    frontier = frontier.slice();
    for (let k = -d; k <= d; k += 2) {
      // An insertion moves down from diagonal k+1, a deletion right from k-1.
      let x = down(k, d, frontier) ? frontier[k + 1 + offset]! : frontier[k - 1 + offset]! + 1;
      let y = x - k;
      while (x < n && y < m && before[x] === after[y]) {
        x++;
        y++;
      }
      frontier[k + offset] = x;
      if (x >= n && y >= m) break search;
    }
  }

  const edits: Edit[] = [];
  let x = n;
  let y = m;
  for (let d = saved.length - 1; d >= 0; d--) {
    const v = saved[d]!;
    const k = x - y;
    const previousK = down(k, d, v) ? k + 1 : k - 1;
    const previousX = d === 0 ? 0 : v[previousK + offset]!;
    const previousY = d === 0 ? 0 : previousX - previousK;
    while (x > previousX && y > previousY) {
      y--;
      edits.push({ op: 'equal', line: before[--x]! });
    }
    if (d === 0) break;
    if (x === previousX) edits.push({ op: 'insert', line: after[--y]! });
    else edits.push({ op: 'delete', line: before[--x]! });
  }
  return edits.reverse();
}
