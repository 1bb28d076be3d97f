// Per-pod bandwidth from what agents report: each endpoint's token buckets per direction with their
// counters (agent/datapath/bandwidth/enforcement.ts BucketStatus, inside the free-form `programs` of an
// agent status), as rows for the Usage page, and successive reports turned into throughput over time.
// Pure: the page reads agents and keeps the history.
import type { AgentStatus } from '../client/types.ts';

export interface PodBandwidth {
  /** Stable across reports: cluster, node, pod, direction and bucket. */
  key: string;
  cluster: string;
  node: string;
  /** `namespace/pod`. */
  pod: string;
  direction: 'ingress' | 'egress';
  bucket: string;
  /** What set the limit: a BandwidthPolicy id, an annotation, or `plan` (the tenant's ceiling). */
  source: string;
  rateBitsPerSecond: number;
  passedPackets: number;
  passedBytes: number;
  droppedPackets: number;
  droppedBytes: number;
  /** A namespace's or the tenant's bucket: its counters count every pod charged to it. */
  shared: boolean;
  reportedAt: string;
}

const COUNTERS = ['rateBitsPerSecond', 'passedPackets', 'passedBytes', 'droppedPackets', 'droppedBytes'] as const;

type Bucket = { id: string; source: string } & Record<(typeof COUNTERS)[number], number>;

/** A bucket as the agent reports it; anything else (an older agent, a malformed report) is skipped. */
function asBucket(value: unknown): Bucket | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const bucket = value as Record<string, unknown>;
  if (typeof bucket.id !== 'string' || COUNTERS.some((name) => typeof bucket[name] !== 'number')) return undefined;
  return { ...(bucket as Bucket), source: typeof bucket.source === 'string' ? bucket.source : '' };
}

export function podBandwidth(cluster: string, agents: readonly AgentStatus[]): PodBandwidth[] {
  const rows: PodBandwidth[] = [];
  for (const agent of agents) {
    for (const [pod, stats] of Object.entries(agent.programs)) {
      const bandwidth = (stats as { bandwidth?: Record<string, unknown> } | null)?.bandwidth;
      if (typeof bandwidth !== 'object' || bandwidth === null) continue;
      for (const direction of ['ingress', 'egress'] as const) {
        const buckets = bandwidth[direction];
        if (!Array.isArray(buckets)) continue;
        for (const bucket of buckets.map(asBucket)) {
          if (!bucket) continue;
          rows.push({
            key: `${cluster}\u0000${agent.nodeName}\u0000${pod}\u0000${direction}\u0000${bucket.id}`,
            cluster,
            node: agent.nodeName,
            pod,
            direction,
            bucket: bucket.id,
            source: bucket.source,
            rateBitsPerSecond: bucket.rateBitsPerSecond,
            passedPackets: bucket.passedPackets,
            passedBytes: bucket.passedBytes,
            droppedPackets: bucket.droppedPackets,
            droppedBytes: bucket.droppedBytes,
            shared: !bucket.id.startsWith('pod/'),
            reportedAt: agent.reportedAt,
          });
        }
      }
    }
  }
  return rows.sort(
    (a, b) => a.cluster.localeCompare(b.cluster) || a.pod.localeCompare(b.pod) || a.direction.localeCompare(b.direction) || a.bucket.localeCompare(b.bucket),
  );
}

/** Passed-byte readings of each pod's own bucket per report, oldest first. */
export type BandwidthHistory = ReadonlyMap<string, readonly { at: number; passedBytes: number; label: string }[]>;

/** Readings kept per bucket: at a report every few seconds, several minutes of history. */
const MAX_READINGS = 120;

/** The history with this read's rows added: a reading per new report (an unchanged reportedAt is the same report). */
export function recordReadings(history: BandwidthHistory, rows: readonly PodBandwidth[]): BandwidthHistory {
  const next = new Map(history);
  for (const row of rows) {
    if (row.shared) continue;
    const readings = next.get(row.key) ?? [];
    const at = Date.parse(row.reportedAt);
    if (readings.at(-1)?.at === at) continue;
    next.set(row.key, [...readings, { at, passedBytes: row.passedBytes, label: `${row.pod} ${row.direction}` }].slice(-MAX_READINGS));
  }
  return next;
}

/**
 * Throughput in bit/s between successive readings, as uPlot's aligned data: x (seconds since the epoch,
 * every bucket's reading times) and a series per bucket, null where it has no reading or its counter
 * went back (the bucket was replaced).
 */
export function throughputSeries(history: BandwidthHistory): { labels: string[]; data: [number[], ...(number | null)[][]] } {
  const keys = [...history.keys()].filter((key) => (history.get(key)?.length ?? 0) >= 2);
  const times = [
    ...new Set(
      keys.flatMap((key) =>
        history
          .get(key)!
          .slice(1)
          .map((reading) => reading.at),
      ),
    ),
  ].sort((a, b) => a - b);
  const series = keys.map((key) => {
    const readings = history.get(key)!;
    const byTime = new Map<number, number | null>();
    for (let i = 1; i < readings.length; i++) {
      const previous = readings[i - 1]!;
      const current = readings[i]!;
      const bytes = current.passedBytes - previous.passedBytes;
      byTime.set(current.at, bytes < 0 ? null : (bytes * 8 * 1000) / (current.at - previous.at));
    }
    return times.map((time) => byTime.get(time) ?? null);
  });
  return { labels: keys.map((key) => history.get(key)![0]!.label), data: [times.map((time) => time / 1000), ...series] };
}
