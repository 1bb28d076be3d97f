// The agent's metric families from what the pipeline records and what the dataplane reports at
// scrape time: values land under the documented names and labels, staged rules never count as
// verdicts, shared bandwidth buckets carry no pod, a dry-run agent exposes no dataplane series, and
// the output passes `promtool check metrics`.
import { describe, expect, it } from 'vitest';
import type { DataplaneObservation } from '../../../agent/datapath/dataplane.ts';
import { createAgentMetrics } from '../../../agent/metrics/agent-metrics.ts';
import { checkMetrics } from '../../support/promtool.ts';

const observation: DataplaneObservation = {
  programs: 3,
  maps: [
    { name: 'conntrack', entries: 7, capacity: 65_536 },
    { name: 'conntrack6', entries: 3, capacity: 16_384 },
    { name: 'program_maps', entries: 40, capacity: 40 },
  ],
  rules: [
    {
      key: 'deny-c 0',
      direction: 'ingress',
      tier: 'default',
      policyId: 'CalicoNetworkPolicy/x/deny-c',
      ruleIndex: 0,
      action: 'Deny',
      staged: false,
      packets: 5,
      bytes: 300,
    },
    {
      key: 'deny-c 1',
      direction: 'ingress',
      tier: 'default',
      policyId: 'CalicoNetworkPolicy/x/deny-c',
      ruleIndex: 1,
      action: 'Allow',
      staged: false,
      packets: 9,
      bytes: 900,
    },
    {
      key: 'deny-all default',
      direction: 'egress',
      tier: 'default',
      policyId: 'StagedNetworkPolicy/x/deny-all',
      ruleIndex: 'default',
      action: 'Deny',
      staged: true,
      packets: 100,
      bytes: 1,
    },
  ],
  events: { policy_denied: 5, malformed_ipv4: 2, fragment_orphan: 1, nd_failsafe: 4 },
  bandwidth: [
    { pod: 'x/a', direction: 'egress', passedPackets: 10, droppedPackets: 3, passedBytes: 1000, droppedBytes: 300 },
    { pod: undefined, direction: 'egress', passedPackets: 1, droppedPackets: 1, passedBytes: 10, droppedBytes: 10 },
    { pod: undefined, direction: 'egress', passedPackets: 2, droppedPackets: 2, passedBytes: 20, droppedBytes: 20 },
  ],
};

const line = (body: string, series: string) =>
  body
    .split('\n')
    .find((l) => l.startsWith(`${series} `))
    ?.split(' ')[1];

describe('agent metrics', () => {
  it('exposes revisions, phases, refusals and the dataplane observation under their names', async () => {
    const metrics = createAgentMetrics();
    const issuedAt = new Date('2026-12-06T10:00:00Z');
    metrics.watch({
      revisions: () => ({ appliedRevision: 4, newestVerified: { revision: 4, issuedAt } }),
      observe: () => observation,
      clock: () => new Date(issuedAt.getTime() + 90_000),
    });
    metrics.revisionOffered(6);
    metrics.verificationFailed('BAD_SIGNATURE');
    metrics.verificationFailed('BAD_SIGNATURE');
    metrics.observePhase('compile', 0.02);
    const body = await metrics.scrape();

    expect(line(body, 'palisade_agent_applied_revision')).toBe('4');
    expect(line(body, 'palisade_agent_latest_revision')).toBe('6');
    expect(line(body, 'palisade_agent_latest_revision_age_seconds')).toBe('90');
    expect(line(body, 'palisade_agent_bundle_verification_failures_total{code="BAD_SIGNATURE"}')).toBe('2');
    expect(line(body, 'palisade_agent_apply_duration_seconds_count{phase="compile"}')).toBe('1');
    expect(line(body, 'palisade_agent_programs')).toBe('3');
    expect(line(body, 'palisade_agent_conntrack_entries')).toBe('10'); // both families' tables
    expect(line(body, 'palisade_agent_map_capacity_entries{map="conntrack"}')).toBe('65536');
    // Staged rules only say what would have happened: they are not verdicts.
    expect(line(body, 'palisade_agent_packets_total{verdict="deny"}')).toBe('5');
    expect(line(body, 'palisade_agent_packets_total{verdict="allow"}')).toBe('9');
    expect(line(body, 'palisade_agent_bytes_total{verdict="allow"}')).toBe('900');
    expect(
      line(body, 'palisade_agent_rule_packets_total{direction="ingress",tier="default",policy="CalicoNetworkPolicy/x/deny-c",rule="0",action="Deny"}'),
    ).toBe('5');
    expect(body).not.toContain('StagedNetworkPolicy');
    expect(line(body, 'palisade_agent_policy_packets_total{direction="ingress",tier="default",policy="CalicoNetworkPolicy/x/deny-c",action="Allow"}')).toBe(
      '9',
    );
    expect(line(body, 'palisade_agent_drops_total{reason="policy"}')).toBe('5');
    expect(line(body, 'palisade_agent_drops_total{reason="malformed"}')).toBe('3');
    expect(line(body, 'palisade_agent_drops_total{reason="bandwidth"}')).toBe('6');
    expect(line(body, 'palisade_agent_bandwidth_packets_total{pod="x/a",direction="egress",result="dropped"}')).toBe('3');
    // Two shared buckets in one direction: one series, summed.
    expect(line(body, 'palisade_agent_bandwidth_packets_total{pod="",direction="egress",result="passed"}')).toBe('3');

    const checked = await checkMetrics(body);
    expect(checked.output).toBe('');
    expect(checked.code).toBe(0);

    // The next scrape reads the counters again: a rule's series carries its new count.
    const later = { ...observation, rules: observation.rules.map((rule, i) => (i === 0 ? { ...rule, packets: 8 } : rule)) };
    metrics.watch({ revisions: () => ({ appliedRevision: 4, newestVerified: { revision: 4, issuedAt } }), observe: () => later });
    const next = await metrics.scrape();
    expect(
      line(next, 'palisade_agent_rule_packets_total{direction="ingress",tier="default",policy="CalicoNetworkPolicy/x/deny-c",rule="0",action="Deny"}'),
    ).toBe('8');
    expect(line(next, 'palisade_agent_policy_packets_total{direction="ingress",tier="default",policy="CalicoNetworkPolicy/x/deny-c",action="Deny"}')).toBe('8');
  });

  it('a dry-run agent (no observation) exposes revisions and no dataplane series', async () => {
    const metrics = createAgentMetrics();
    metrics.watch({ revisions: () => ({ appliedRevision: 0, newestVerified: undefined }) });
    const body = await metrics.scrape();
    expect(line(body, 'palisade_agent_applied_revision')).toBe('0');
    expect(line(body, 'palisade_agent_latest_revision_age_seconds')).toBeUndefined();
    expect(body).not.toMatch(/^palisade_agent_programs /m);
    expect(body).not.toMatch(/^palisade_agent_drops_total/m);
    expect((await checkMetrics(body)).code).toBe(0);
  });
});
