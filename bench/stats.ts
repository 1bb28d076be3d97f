// Summaries of repeated measurements: this 2-core machine is noisy, so every figure is the median of
// a few interleaved runs, reported with its spread (min..max) so a reader can judge the noise.

export interface Sample {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

export function sample(runs: readonly number[]): Sample {
  if (runs.length === 0) throw new Error('no runs to summarise');
  const sorted = [...runs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)!, runs: [...runs] };
}

/** Rounded for reports: figures carry no more digits than the noise allows. */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** "12.3 (11.9..12.8)" */
export function withSpread(s: Sample, digits = 2): string {
  return `${round(s.median, digits)} (${round(s.min, digits)}..${round(s.max, digits)})`;
}
