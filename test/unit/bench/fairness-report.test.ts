// Jain's fairness index as the fairness figure computes it (bench/fairness-report.ts).
import { describe, expect, it } from 'vitest';
import { jainIndex } from '../../../bench/fairness-report.ts';

describe("Jain's index", () => {
  it('is 1 for equal shares and 1/n when one pod gets everything', () => {
    expect(jainIndex([20, 20, 20, 20])).toBe(1);
    expect(jainIndex([80, 0, 0, 0])).toBe(0.25);
  });

  it("scores the issue's policer splits: 37.6 + 55.0 above 0.95 (so 'within 10 %' is the stricter bound), 31.9 + 61.0 below", () => {
    expect(jainIndex([37.6, 55])).toBeCloseTo(0.966, 3);
    expect(jainIndex([31.9, 61])).toBeCloseTo(0.911, 3);
  });
});
