// The flows page's chart: the tail's flow counts per second by verdict, in steps of their end time,
// with empty steps as zeros.
import { describe, expect, it } from 'vitest';
import type { Flow } from '../../../console/src/client/types.ts';
import { flowRateSeries } from '../../../console/src/flows/rate.ts';

const flow = (endTime: string, kind: Flow['kind'], count: number): Flow => ({
  id: endTime + kind,
  nodeName: 'node-a',
  startTime: endTime,
  endTime,
  endpoint: 'shop/backend',
  direction: 'ingress',
  remote: '198.18.0.11',
  protocol: 6,
  port: 8080,
  kind,
  rule: null,
  count,
  bytes: 60,
});

describe('flow rate series', () => {
  it('sums counts per verdict per step, as a rate, filling empty steps with zeros', () => {
    const t0 = Date.parse('2026-12-07T00:00:00.000Z') / 1000;
    const series = flowRateSeries([
      flow('2026-12-07T00:00:03.000Z', 'allowed', 10),
      flow('2026-12-07T00:00:09.000Z', 'allowed', 20),
      flow('2026-12-07T00:00:05.000Z', 'denied', 5),
      flow('2026-12-07T00:00:31.000Z', 'logged', 1),
    ]);
    expect(series).toEqual([
      [t0, t0 + 10, t0 + 20, t0 + 30],
      [3, 0, 0, 0],
      [0.5, 0, 0, 0],
      [0, 0, 0, 0.1],
    ]);
  });

  it('has no points without flows', () => {
    expect(flowRateSeries([])).toEqual([[], [], [], []]);
  });
});
