// The impact preview's read of stored flows goes newest first in time slices sized from what the
// slices before cost (api/services/policies/impact-flow-read.ts): the next one aims at half the
// remaining budget at the last slice's density, and grows at most four-fold.
import { describe, expect, it } from 'vitest';
import { nextSpan } from '../../../api/services/policies/impact-flow-read.ts';

const MINUTE = 60_000;

describe('impact read slices', () => {
  it('grows four-fold past an empty slice', () => {
    expect(nextSpan(MINUTE, 0, 0.01, 1_000)).toBe(4 * MINUTE);
  });

  it('spans the rows half the remaining budget reads at the cost so far', () => {
    // 1,000 rows a minute at 0.01 ms a row: 500 ms of the 1,000 left read 50,000 rows, 50 minutes,
    // more than four times the last span.
    expect(nextSpan(MINUTE, 1_000, 0.01, 1_000)).toBe(4 * MINUTE);
    // At 1 ms a row: 500 rows, half a minute.
    expect(nextSpan(MINUTE, 1_000, 1, 1_000)).toBe(MINUTE / 2);
  });

  it('never spans less than a millisecond', () => {
    expect(nextSpan(MINUTE, 100_000, 10, 1)).toBe(1);
  });
});
