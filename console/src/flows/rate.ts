// The flows page's chart data: how many flows the tail holds per stretch of time, by verdict, as
// uPlot's aligned data. A flow log row counts connections (packets for denials) in a time bucket; the
// rate here is that count over the chart's step, placed at the row's end time. Pure.
import type { Flow } from '../client/types.ts';

export const VERDICTS = ['allowed', 'denied', 'logged'] as const;

/** x: step starts in seconds since the epoch; then per verdict the count per second in that step (zeros included, so lines drop to 0). */
export function flowRateSeries(flows: readonly Flow[], stepSeconds = 10): [number[], ...number[][]] {
  if (flows.length === 0) return [[], ...VERDICTS.map(() => [])];
  const stepOf = (flow: Flow) => Math.floor(Date.parse(flow.endTime) / 1000 / stepSeconds) * stepSeconds;
  const steps = flows.map(stepOf);
  const first = Math.min(...steps);
  const last = Math.max(...steps);
  const xs: number[] = [];
  for (let step = first; step <= last; step += stepSeconds) xs.push(step);
  const sums = VERDICTS.map(() => new Array<number>(xs.length).fill(0));
  flows.forEach((flow, index) => {
    sums[VERDICTS.indexOf(flow.kind)]![(steps[index]! - first) / stepSeconds]! += flow.count;
  });
  return [xs, ...sums.map((sum) => sum.map((total) => total / stepSeconds))];
}
