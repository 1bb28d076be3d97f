// Closed-loop load: `concurrency` clients, each sending its next request as soon as the last one
// answered, while `keepGoing()` holds (a fixed time: `forMs`); the latency of every request is kept
// for percentiles.

export interface LoadResult {
  requests: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers that were not the expected status (or no answer at all). */
  failures: number;
}

export function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

/** A `keepGoing` for a fixed time from now. */
export function forMs(durationMs: number): () => boolean {
  const until = performance.now() + durationMs;
  return () => performance.now() < until;
}

/** `send(client)` resolves true when the answer was the expected one. */
export async function closedLoop(concurrency: number, keepGoing: () => boolean, send: (client: number) => Promise<boolean>): Promise<LoadResult> {
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  const client = async (index: number) => {
    while (keepGoing()) {
      const sent = performance.now();
      const ok = await send(index).catch(() => false);
      latencies.push(performance.now() - sent);
      if (!ok) failures += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, index) => client(index)));
  const seconds = (performance.now() - started) / 1000;
  return {
    requests: latencies.length,
    perSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    failures,
  };
}
