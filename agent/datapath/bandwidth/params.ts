// A bucket's rate and burst as the programs use them: nanoseconds per byte in fixed point, and the
// burst as nanoseconds of debt the bucket may run ahead of now (GCRA). Pure, so the arithmetic is
// tested without a kernel.
//
// What "rate" means: L2 bytes, as tc sees them (skb->len includes the Ethernet header). It is the
// number tc's own policer and the Kubernetes bandwidth plugin (tbf) count, and it needs no parsing,
// so non-IP and malformed packets cost what they weigh. A GSO packet (veth passes TCP segments
// up to 64 KiB in one skb) counts its headers once, so TCP goodput can reach the rate itself;
// with 1,500-byte frames it is about 1,448/1,514 = 96 % of it.
import { createHash } from 'node:crypto';
import type { BandwidthBucket } from '../../../policy/bandwidth/buckets.ts';
import { enforcedBurstBytes, MAX_BURST_BYTES } from '../../../policy/bandwidth/burst.ts';
import { BW_NS_PER_BYTE_SHIFT } from '../layouts.ts';

const NS_PER_SECOND = 1_000_000_000n;
const BITS_PER_BYTE = 8n;

/**
 * Slowest rate a bucket may have. The program computes len x nsPerByte in 64 bits: with 16
 * fractional bits and skbs up to 1 MiB (BIG TCP), nsPerByte must stay below 2^43, i.e. rates
 * above ~60 bit/s. 1 kbit/s keeps a wide margin and is slower than anything useful.
 */
export const MIN_RATE_BITS_PER_SECOND = 1_000;

/**
 * Fastest rate: at 1 Tbit/s a byte costs 0.008 ns, 524/65,536 in fixed point, so the rounding
 * error is 0.1 %; faster rates would lose precision (and no veth carries them).
 */
export const MAX_RATE_BITS_PER_SECOND = 1_000_000_000_000;

export interface BucketParams {
  /** ns per byte << BW_NS_PER_BYTE_SHIFT */
  nsPerByte: bigint;
  /** How far tat may run ahead of now before packets are dropped. */
  burstNs: bigint;
}

/** Why a bucket cannot be enforced as given, or undefined when it can. */
export function bucketProblem(bucket: Pick<BandwidthBucket, 'rateBitsPerSecond' | 'burstBytes'>): string | undefined {
  const { rateBitsPerSecond: rate, burstBytes: burst } = bucket;
  if (!Number.isSafeInteger(rate) || rate < MIN_RATE_BITS_PER_SECOND || rate > MAX_RATE_BITS_PER_SECOND) {
    return `rate ${rate} bit/s is outside ${MIN_RATE_BITS_PER_SECOND}..${MAX_RATE_BITS_PER_SECOND}`;
  }
  if (!Number.isSafeInteger(burst) || burst < 1 || burst > MAX_BURST_BYTES) return `burst ${burst} bytes is outside 1..${MAX_BURST_BYTES}`;
  return undefined;
}

/** Rounded to nearest; throws on a bucket bucketProblem refuses. */
export function bucketParams(bucket: Pick<BandwidthBucket, 'rateBitsPerSecond' | 'burstBytes'>): BucketParams {
  const problem = bucketProblem(bucket);
  if (problem) throw new RangeError(problem);
  const rate = BigInt(bucket.rateBitsPerSecond);
  const scaled = (BITS_PER_BYTE * NS_PER_SECOND) << BigInt(BW_NS_PER_BYTE_SHIFT);
  return {
    nsPerByte: (scaled + rate / 2n) / rate,
    burstNs: (BigInt(enforcedBurstBytes(bucket.burstBytes, bucket.rateBitsPerSecond)) * BITS_PER_BYTE * NS_PER_SECOND) / rate,
  };
}

/** What a packet of `bytes` costs, as the program computes it. */
export function packetCostNs(params: BucketParams, bytes: number): bigint {
  return (BigInt(bytes) * params.nsPerByte) >> BigInt(BW_NS_PER_BYTE_SHIFT);
}

/** 64 bits of SHA-256 of the bucket id, never 0 (0 marks a free entry). */
export function bucketIdHash(id: string): bigint {
  const hash = createHash('sha256').update(id).digest().readBigUInt64LE(0);
  return hash === 0n ? 1n : hash;
}
