// Burst sizes of the token buckets: the default when none is written, and the floor every burst is
// raised to. Shared by BandwidthPolicy, the pod annotations and the plan's ceiling, so one rate
// means one bucket wherever it was written.

/**
 * The most a bucket may hold above its rate. The dataplane polices (drops), it does not queue, and
 * with TSO/GSO one skb carries up to 64 KiB: a bucket smaller than that can never pass a full-size
 * segment, so a TCP flow through it stalls instead of running at the rate. Any burst below this,
 * written or defaulted, is raised to it.
 */
export const BURST_FLOOR_BYTES = 64 * 1024;

/**
 * A burst is never larger than this (Calico's largest burst, MaxUint32 bytes), so a burst always
 * fits the dataplane's 32-bit byte counters, however large the rate.
 */
export const MAX_BURST_BYTES = 2 ** 32 - 1;

/**
 * The burst a policer needs for TCP to run at its rate: TCP's minimum retransmission timeout (Linux
 * TCP_RTO_MIN, 200 ms) plus a margin. At in-cluster round trips (tens of microseconds) a sender's
 * window never shrinks below what outruns the rate, so the policer drops whole GSO packets and the
 * flow sits out a retransmission timeout now and then; a bucket holding that long at the rate banks
 * the idle time and the flow spends it afterwards. Measured with iperf3 TCP on lab veths at 50 Mbit/s
 * over 3 s (test/dataplane/bandwidth/lab-iperf.test.ts): burst 64 KiB 3 Mbit/s, 312 KB (50 ms)
 * 13, 1 MB 40, 1.56 MB (250 ms) 51-52.5. Queueing shapers (tbf, fq with EDT) need no such burst,
 * since they delay instead of drop; the dataplane polices where the node has no fq. The price: a
 * flow idle long enough to fill the bucket may then exceed the rate by the burst.
 */
export const POLICING_BURST_SECONDS = 0.25;

/** Default burst: POLICING_BURST_SECONDS at the rate, at least 256 KiB (four full GSO segments). */
export const DEFAULT_BURST_MIN_BYTES = 256 * 1024;

export function defaultBurstBytes(rateBitsPerSecond: number): number {
  const bytes = Math.ceil((rateBitsPerSecond / 8) * POLICING_BURST_SECONDS);
  return Math.min(MAX_BURST_BYTES, Math.max(bytes, DEFAULT_BURST_MIN_BYTES));
}

/** A written burst in bits (Calico's annotations, BandwidthPolicy) as the bucket's bytes: rounded up, floored, capped. */
export function burstBytesFromBits(bits: number): number {
  return Math.min(MAX_BURST_BYTES, Math.max(Math.ceil(bits / 8), BURST_FLOOR_BYTES));
}

/**
 * The burst a policing dataplane enforces: the bucket's, raised to the floor and to
 * POLICING_BURST_SECONDS at its rate (a written burst smaller than that would hold TCP far below the
 * rate, see above). The agent reports it beside the asked burst.
 */
export function enforcedBurstBytes(burstBytes: number, rateBitsPerSecond: number): number {
  return Math.min(MAX_BURST_BYTES, Math.max(burstBytes, BURST_FLOOR_BYTES, Math.ceil((rateBitsPerSecond / 8) * POLICING_BURST_SECONDS)));
}
