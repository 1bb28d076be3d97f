// Kubernetes resource quantities ("10M", "1.5Gi", "500k", "1e6") for bit rates and burst sizes, as
// the Kubernetes bandwidth annotations and Calico's qos annotations are written. Grammar and rounding
// from k8s.io/apimachinery pkg/api/resource (ParseQuantity, Quantity.Value rounds up to an integer);
// the arithmetic is exact (BigInt), since "1.1k" must be 1100 and not 1100.0000000000002 rounded up.
//
// Bounds, so a typo cannot disable a limit or make one that can never pass a packet:
// - rates: 1k to 1P bit/s, as Kubernetes' bandwidth plugin validation (pkg/util/bandwidth,
//   validateBandwidthIsReasonable) and Calico's qos annotations (minBandwidth, maxBandwidth) accept;
// - bursts: 1k bits to 34359738360 bits (MaxUint32 bytes, in bits), Calico's minBurst and maxBurst.

export type QuantityProblem = 'unparseable' | 'negative' | 'zero' | 'too-small' | 'too-large';

export type QuantityResult = { ok: true; value: number } | { ok: false; problem: QuantityProblem; message: string };

export interface QuantityBounds {
  min: bigint;
  max: bigint;
  /** How the bounds read in a message: "bit/s", "bits". */
  unit: string;
  /** The bounds as users write them, for messages ("1k", "1P"). */
  minText: string;
  maxText: string;
}

export const BIT_RATE_BOUNDS: QuantityBounds = { min: 1_000n, max: 10n ** 15n, unit: 'bit/s', minText: '1k', maxText: '1P' };
export const BURST_BITS_BOUNDS: QuantityBounds = {
  min: 1_000n,
  max: 34_359_738_360n,
  unit: 'bits',
  minText: '1k',
  maxText: '34359738360',
};

const DECIMAL_SUFFIXES: Record<string, number> = { '': 0, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

// <sign><digits>[.<digits>] then a binary suffix, a decimal suffix, or an exponent (e/E and a signed integer).
const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|[mkMGTPE]?)$/;

/** Beyond this a decimal exponent is absurd either way; computing 10^1000000 would only cost time. */
const MAX_EXPONENT = 40;

export const QUANTITY_FORMAT = 'must be a quantity such as 10M, 1.5Gi, 500k or 1000000';

type Parsed = { ok: true; negative: boolean; value: bigint } | { ok: false };

/** Exact value rounded up to an integer, as Quantity.Value() does; the sign kept apart. */
function parse(text: string): Parsed {
  const match = QUANTITY.exec(text);
  if (!match) return { ok: false };
  const [, sign = '', whole = '', fraction = '', suffix = ''] = match;
  if (whole === '' && fraction === '') return { ok: false };
  const digits = BigInt(`${whole}${fraction}` || '0');
  let exponent10 = -fraction.length;
  let exponent2 = 0;
  if (suffix in BINARY_SUFFIXES) exponent2 = BINARY_SUFFIXES[suffix]!;
  else if (suffix in DECIMAL_SUFFIXES) exponent10 += DECIMAL_SUFFIXES[suffix]!;
  else exponent10 += Number(suffix.slice(1));
  const negative = sign === '-' && digits !== 0n;
  if (digits === 0n) return { ok: true, negative, value: 0n };
  if (exponent10 > MAX_EXPONENT) return { ok: true, negative, value: 10n ** BigInt(MAX_EXPONENT) };
  // A positive value smaller than one rounds up to one.
  if (exponent10 < -MAX_EXPONENT) return { ok: true, negative, value: 1n };
  let numerator = digits * 2n ** BigInt(exponent2);
  let denominator = 1n;
  if (exponent10 >= 0) numerator *= 10n ** BigInt(exponent10);
  else denominator = 10n ** BigInt(-exponent10);
  return { ok: true, negative, value: (numerator + denominator - 1n) / denominator };
}

/** A positive quantity within `bounds`, or why not. */
export function parseBoundedQuantity(text: string, bounds: QuantityBounds): QuantityResult {
  const parsed = parse(text);
  if (!parsed.ok) return { ok: false, problem: 'unparseable', message: QUANTITY_FORMAT };
  if (parsed.negative) return { ok: false, problem: 'negative', message: 'must not be negative' };
  if (parsed.value === 0n) return { ok: false, problem: 'zero', message: 'must be greater than zero' };
  if (parsed.value < bounds.min) {
    return { ok: false, problem: 'too-small', message: `is unreasonably small (less than ${bounds.minText} ${bounds.unit})` };
  }
  if (parsed.value > bounds.max) {
    return { ok: false, problem: 'too-large', message: `is unreasonably large (more than ${bounds.maxText} ${bounds.unit})` };
  }
  return { ok: true, value: Number(parsed.value) };
}

/** A rate in bits per second (the `kubernetes.io/*-bandwidth`, `qos.projectcalico.org/*Bandwidth` annotations). */
export function parseBitRate(text: string): QuantityResult {
  return parseBoundedQuantity(text, BIT_RATE_BOUNDS);
}

/** A burst in bits (the `qos.projectcalico.org/*Burst` annotations). */
export function parseBurstBits(text: string): QuantityResult {
  return parseBoundedQuantity(text, BURST_BITS_BOUNDS);
}
