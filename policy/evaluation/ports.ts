// Destination port ranges in canonical form: sorted, overlapping and adjacent ranges merged, so a
// rule written as 80, 81, 80-90 compiles (and hashes) like one written as 80-90.
import type { PortRange } from './endpoint-policy.ts';

export function mergePortRanges(ranges: readonly PortRange[]): PortRange[] {
  const sorted = [...ranges].sort((a, b) => a.first - b.first || a.last - b.last);
  const merged: PortRange[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last && range.first <= last.last + 1) last.last = Math.max(last.last, range.last);
    else merged.push({ first: range.first, last: range.last });
  }
  return merged;
}

export function portInRanges(port: number, ranges: readonly PortRange[]): boolean {
  return ranges.some((r) => r.first <= port && port <= r.last);
}
