// Aggregates decoded flow events into flow log entries per time bucket (FLOW_BUCKET_SECONDS): the
// ring buffer can carry thousands of events a second, the control plane wants one line per distinct
// flow outcome. Pure: time comes in as an argument.
import type { FlowLogEntry, FlowRule } from '../../policy/flow-log.ts';
import type { FlowRecord } from '../datapath/flows.ts';

/** Distinct entries kept per bucket; beyond it events are counted as dropped (a scan must not cost memory). */
export const MAX_ENTRIES_PER_BUCKET = 5_000;

function ruleKey(rule: FlowRule | null | undefined): string {
  return rule ? `${rule.tier}/${rule.policyId}/${rule.ruleIndex}/${rule.action}` : '-';
}

export class FlowAggregator {
  private entries = new Map<string, FlowLogEntry>();
  private bucketStart: Date;
  private droppedEvents = 0;

  constructor(now: Date) {
    this.bucketStart = now;
  }

  add(flow: FlowRecord, now: Date): void {
    // The server's port: for traffic leaving the pod it is the remote end's, for traffic entering it the pod's own.
    const port = flow.direction === 'egress' ? flow.remotePort : flow.localPort;
    const endpoint = flow.endpoint ?? `ifindex/${flow.ifindex}`;
    const key = [
      endpoint,
      flow.direction,
      flow.remote,
      flow.protocol,
      port,
      flow.kind,
      ruleKey(flow.rule),
      flow.staged?.verdict ?? '-',
      ruleKey(flow.staged?.rule),
    ].join('|');
    const existing = this.entries.get(key);
    if (existing) {
      // no time stamp here: flush() gives every entry the bucket's bounds (and this runs per event)
      existing.count += flow.count ?? 1;
      existing.bytes += flow.bytes;
      return;
    }
    if (this.entries.size >= MAX_ENTRIES_PER_BUCKET) {
      this.droppedEvents += flow.count ?? 1;
      return;
    }
    this.entries.set(key, {
      startTime: now.toISOString(),
      endTime: now.toISOString(),
      endpoint,
      direction: flow.direction,
      remote: flow.remote,
      protocol: flow.protocol,
      port,
      kind: flow.kind,
      rule: flow.rule,
      ...(flow.staged && { pendingVerdict: flow.staged.verdict, pendingRule: flow.staged.rule }),
      count: flow.count ?? 1,
      bytes: flow.bytes,
    });
  }

  /** Closes the bucket: returns its entries (and how many events did not fit) and starts the next. */
  flush(now: Date): { entries: FlowLogEntry[]; dropped: number } {
    const entries = [...this.entries.values()].map((entry) => ({ ...entry, startTime: this.bucketStart.toISOString(), endTime: now.toISOString() }));
    const dropped = this.droppedEvents;
    this.entries = new Map();
    this.droppedEvents = 0;
    this.bucketStart = now;
    return { entries, dropped };
  }
}
