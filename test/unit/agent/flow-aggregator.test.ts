// Flow events become one flow log line per distinct outcome per bucket, with the deciding rule and
// the verdict staged policies would have given.
import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../../agent/datapath/flows.ts';
import { FlowAggregator, MAX_ENTRIES_PER_BUCKET } from '../../../agent/flows/aggregator.ts';
import { flowLogBatchSchema } from '../../../policy/flow-log.ts';

const t0 = new Date('2026-11-26T12:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const denyDefault = { tier: 'default', policyId: 'NetworkPolicy/x/deny', ruleIndex: 'default' as const, action: 'Deny' as const };

function flow(overrides: Partial<FlowRecord> = {}): FlowRecord {
  return {
    kind: 'denied',
    direction: 'ingress',
    ifindex: 7,
    endpoint: 'x/a',
    timeNs: 1n,
    programTag: 1,
    verdict: 'deny',
    rule: denyDefault,
    family: 4,
    protocol: 6,
    local: '198.18.0.1',
    remote: '198.18.0.2',
    localPort: 80,
    remotePort: 40_000,
    tcpFlags: 2,
    icmpType: 0,
    bytes: 60,
    ...overrides,
  };
}

describe('FlowAggregator', () => {
  it('adds an aggregated record of allowed flows as the flows it stands for, beside single events of the same outcome', () => {
    const aggregator = new FlowAggregator(t0);
    const allowed = { kind: 'allowed' as const, verdict: 'allow' as const, rule: { ...denyDefault, ruleIndex: 0, action: 'Allow' as const } };
    aggregator.add(flow({ ...allowed, count: 250, bytes: 250 * 60, remotePort: 0, tcpFlags: 0 }), at(1));
    aggregator.add(flow({ ...allowed, remotePort: 40_123 }), at(2));
    const { entries } = aggregator.flush(at(15));
    expect(entries).toMatchObject([{ kind: 'allowed', port: 80, count: 251, bytes: 251 * 60 }]);
  });

  it('folds retries of the same denied connection into one line with a count', () => {
    const aggregator = new FlowAggregator(t0);
    for (const [second, port] of [
      [1, 40_000],
      [2, 40_001],
      [3, 40_002],
    ] as const)
      aggregator.add(flow({ remotePort: port }), at(second));
    const { entries } = aggregator.flush(at(15));
    expect(entries).toEqual([
      expect.objectContaining({
        endpoint: 'x/a',
        direction: 'ingress',
        remote: '198.18.0.2',
        protocol: 6,
        port: 80,
        kind: 'denied',
        rule: denyDefault,
        count: 3,
        bytes: 180,
      }),
    ]);
    expect(entries[0]).toMatchObject({ startTime: t0.toISOString(), endTime: at(15).toISOString() });
    expect(flowLogBatchSchema.safeParse({ nodeName: 'node-1', entries }).success).toBe(true);
  });

  it('keeps apart outcomes that differ, and reports the pending verdict of staged policies', () => {
    const aggregator = new FlowAggregator(t0);
    const allowRule = { tier: 'default', policyId: 'NetworkPolicy/x/web', ruleIndex: 0, action: 'Allow' as const };
    aggregator.add(flow({ kind: 'allowed', verdict: 'allow', rule: allowRule, staged: { verdict: 'deny', rule: denyDefault } }), at(1));
    aggregator.add(flow(), at(2));
    aggregator.add(flow({ direction: 'egress', remote: '198.18.0.9', remotePort: 53, localPort: 33_000, protocol: 17 }), at(3));
    const { entries } = aggregator.flush(at(15));
    expect(entries).toHaveLength(3);
    expect(entries[0]).toMatchObject({ kind: 'allowed', rule: allowRule, pendingVerdict: 'deny', pendingRule: denyDefault });
    expect(entries[2]).toMatchObject({ direction: 'egress', port: 53, protocol: 17 });
    expect(aggregator.flush(at(30)).entries).toEqual([]);
  });

  it('bounds the lines per bucket and counts what did not fit', () => {
    const aggregator = new FlowAggregator(t0);
    for (let n = 0; n < MAX_ENTRIES_PER_BUCKET + 10; n++) aggregator.add(flow({ remote: `198.19.${n >> 8}.${n & 255}` }), at(1));
    const { entries, dropped } = aggregator.flush(at(15));
    expect(entries).toHaveLength(MAX_ENTRIES_PER_BUCKET);
    expect(dropped).toBe(10);
  });
});
