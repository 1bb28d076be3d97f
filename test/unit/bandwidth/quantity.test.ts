// Kubernetes quantities for bit rates and bursts: the grammar, exact rounding, and the bounds of
// Kubernetes' bandwidth plugin (rates 1k..1P bit/s) and Calico's bursts (1k..34359738360 bits).
import { describe, expect, it } from 'vitest';
import { parseBitRate, parseBurstBits } from '../../../policy/bandwidth/quantity.ts';

const value = (text: string) => {
  const parsed = parseBitRate(text);
  if (!parsed.ok) throw new Error(`${text}: ${parsed.message}`);
  return parsed.value;
};
const problem = (text: string, parse = parseBitRate) => {
  const parsed = parse(text);
  return parsed.ok ? 'ok' : parsed.problem;
};

describe('parseBitRate', () => {
  it('reads decimal and binary suffixes, fractions and exponents exactly', () => {
    expect(value('10M')).toBe(10_000_000);
    expect(value('1Gi')).toBe(1_073_741_824);
    expect(value('500k')).toBe(500_000);
    expect(value('1.5M')).toBe(1_500_000);
    expect(value('1.1k')).toBe(1_100); // not 1100.0000000000002 rounded up
    expect(value('1000000')).toBe(1_000_000);
    expect(value('1e6')).toBe(1_000_000);
    expect(value('2E3')).toBe(2_000);
    expect(value('+5k')).toBe(5_000);
    expect(value('1P')).toBe(10 ** 15);
  });

  it('rounds a fraction of a bit up, as Quantity.Value does', () => {
    expect(value('1000.1')).toBe(1_001);
    expect(value('1500500m')).toBe(1_501);
  });

  it('says why a value is refused', () => {
    expect(problem('-10M')).toBe('negative');
    expect(problem('0')).toBe('zero');
    expect(problem('0.0M')).toBe('zero');
    for (const text of ['', 'fast', '10 M', ' 10M', '10MB', '10Mbps', '1e', '1.2.3', 'M', '0x10']) expect(problem(text), text).toBe('unparseable');
    expect(problem('999')).toBe('too-small');
    expect(problem('100m')).toBe('too-small');
    expect(problem('1.0000001P')).toBe('too-large');
    expect(problem('1E')).toBe('too-large'); // E is exa
    expect(problem('1e999999')).toBe('too-large');
  });

  it('words the reason like the upstream validations', () => {
    expect(parseBitRate('500')).toMatchObject({ message: 'is unreasonably small (less than 1k bit/s)' });
    expect(parseBitRate('2P')).toMatchObject({ message: 'is unreasonably large (more than 1P bit/s)' });
    expect(parseBitRate('-1M')).toMatchObject({ message: 'must not be negative' });
    expect(parseBitRate('ten')).toMatchObject({ message: expect.stringMatching(/must be a quantity such as 10M/) });
  });
});

describe('parseBurstBits', () => {
  it("accepts Calico's range of bursts in bits", () => {
    expect(parseBurstBits('4Gi')).toEqual({ ok: true, value: 4 * 2 ** 30 });
    expect(parseBurstBits('1k')).toEqual({ ok: true, value: 1_000 });
    expect(parseBurstBits('34359738360')).toEqual({ ok: true, value: 34_359_738_360 });
    expect(problem('34359738361', parseBurstBits)).toBe('too-large');
    expect(problem('999', parseBurstBits)).toBe('too-small');
  });
});
