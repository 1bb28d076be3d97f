import { describe, expect, it } from 'vitest';
import { BURST_FLOOR_BYTES, burstBytesFromBits, defaultBurstBytes, enforcedBurstBytes, MAX_BURST_BYTES } from '../../../policy/bandwidth/burst.ts';

describe('bursts', () => {
  it('default to 250 ms at the rate, at least 256 KiB, at most 4 GiB', () => {
    expect(defaultBurstBytes(50_000_000)).toBe(1_562_500);
    expect(defaultBurstBytes(1_000_000_000)).toBe(31_250_000);
    expect(defaultBurstBytes(1_000_000)).toBe(256 * 1024);
    expect(defaultBurstBytes(10 ** 15)).toBe(MAX_BURST_BYTES);
  });

  it('are raised to 64 KiB, so one full GSO segment always fits', () => {
    expect(burstBytesFromBits(8_000)).toBe(BURST_FLOOR_BYTES);
    expect(burstBytesFromBits(8 * 1024 * 1024)).toBe(1024 * 1024);
    expect(burstBytesFromBits(8 * 100_001 + 1)).toBe(100_002);
  });

  it('are enforced at no less than 250 ms at the rate by a policer, so TCP can reach the rate', () => {
    expect(enforcedBurstBytes(312_500, 50_000_000)).toBe(1_562_500);
    expect(enforcedBurstBytes(10_000_000, 50_000_000)).toBe(10_000_000);
    expect(enforcedBurstBytes(1, 1_000)).toBe(BURST_FLOOR_BYTES);
  });
});
