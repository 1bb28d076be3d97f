// The metrics as Prometheus sees them, end to end: Debian's prometheus scrapes an in-process control
// plane and a real lab agent (eBPF, in its node netns) every second, while real probes cross the
// lab. PromQL through Prometheus's HTTP API must then say what a user would look for: the denying
// policy's denied-packet rate rises after denied probes, the agent's applied revision is the
// control plane's latest, request counts appear under route templates; and `promtool check
// metrics` accepts every endpoint's output.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseCase } from '../../../lab/case/schema.ts';
import { unwrap } from '../../../lab/errors.ts';
import { type LabControlPlane, startLabControlPlane } from '../../../lab/run/control-plane.ts';
import { passed, runCase, type StepControl } from '../../../lab/run/run-case.ts';
import { describeIf, NEEDS_ROOT } from '../../support/needs.ts';
import { type PromSample, startPrometheus, type TestPrometheus } from '../../support/prometheus.ts';
import { checkMetrics } from '../../support/promtool.ts';

const isRoot = process.getuid?.() === 0;

/** The agent lives in its own node netns, so any fixed port is free there. */
const AGENT_METRICS_PORT = 9464;
const DENYING_POLICY = 'CalicoNetworkPolicy/x/metrics-deny-c';
const DENIED_PROBES = 12;

const pod = (name: string) => ({ namespace: 'x', name, labels: { pod: name }, ports: [{ port: 80, protocol: 'TCP' as const, name: 'http' }] });

/** x/a takes TCP 80 from everyone but x/c, which a Calico Deny rule refuses. */
const metricsCase = unwrap(
  parseCase({
    name: 'metrics: a Calico Deny rule for x/c -> x/a, everything else allowed',
    source: 'palisade: issue 12 (metrics checked by a real Prometheus)',
    namespaces: { x: { labels: { ns: 'x' } } },
    pods: [pod('a'), pod('b'), pod('c')],
    steps: [
      {
        apply: [
          {
            apiVersion: 'projectcalico.org/v3',
            kind: 'NetworkPolicy',
            metadata: { name: 'metrics-deny-c', namespace: 'x' },
            spec: {
              selector: "pod == 'a'",
              types: ['Ingress'],
              ingress: [{ action: 'Deny', source: { selector: "pod == 'c'" } }, { action: 'Allow' }],
            },
          },
        ],
        probes: [{ port: 80, protocol: 'TCP', default: true, except: [{ from: 'x/c', to: 'x/a' }] }],
      },
    ],
  }),
);

const only = (samples: PromSample[]) => (samples.length === 1 ? samples[0]!.value : Number.NaN);
const deniedByPolicy = `sum(palisade_agent_policy_packets_total{policy="${DENYING_POLICY}",action="Deny"})`;
const deniedRate = `sum(rate(palisade_agent_policy_packets_total{policy="${DENYING_POLICY}",action="Deny"}[5s]))`;

describeIf(isRoot, NEEDS_ROOT)('metrics checked by a real Prometheus', () => {
  let controlPlane: LabControlPlane;
  let prometheus: TestPrometheus | undefined;
  beforeAll(async () => {
    controlPlane = await startLabControlPlane({ metrics: true });
  });
  afterAll(async () => {
    await prometheus?.stop();
    await controlPlane?.stop();
  });

  it('answers PromQL about denials, revisions and routes, and every endpoint passes promtool', { timeout: 300_000 }, async () => {
    const seen: Record<string, unknown> = {};
    const afterStep = async (_step: number, control: StepControl) => {
      const agentTarget = `${control.nodeAddress}:${AGENT_METRICS_PORT}`;
      const controlPlaneTarget = new URL(controlPlane.metricsUrl!).host;
      prometheus = await startPrometheus({ 'control-plane': [controlPlaneTarget], agent: [agentTarget] });
      const prom = prometheus;
      await prom.waitFor('sum(up)', (s) => only(s) === 2, 'both targets scraped');

      // The agent enforces what the control plane built last.
      const revision = await prom.waitFor(
        'palisade_agent_applied_revision == on() palisade_bundle_last_built_revision',
        (s) => s.length === 1 && s[0]!.value > 0,
        'applied revision equals the latest built',
      );
      seen.revision = revision[0]!.value;
      expect(only(await prom.query('palisade_agent_latest_revision - on() palisade_agent_applied_revision'))).toBe(0);

      // Quiet first: the case's own probes are out of the rate window.
      await prom.waitFor(deniedRate, (s) => only(s) === 0, 'denied rate settles at 0 before the probes');
      const before = only(await prom.query(deniedByPolicy));
      for (let i = 0; i < DENIED_PROBES; i++) {
        expect(await control.prober.probe({ from: 'x/c', to: 'x/a', port: 80, protocol: 'TCP', timeoutMs: 300 })).toBe(false);
        expect(await control.prober.probe({ from: 'x/b', to: 'x/a', port: 80, protocol: 'TCP', timeoutMs: 1_000 })).toBe(true);
      }
      const rising = await prom.waitFor(deniedRate, (s) => only(s) > 0, 'denied rate of the denying policy rises');
      seen.deniedRate = only(rising);
      // Every probe's SYN was dropped by that policy's Deny rule (retransmissions may add more).
      const after = await prom.waitFor(deniedByPolicy, (s) => only(s) >= before + DENIED_PROBES, 'one denied packet per probe at least');
      seen.denied = { before, after: only(after) };
      const ruleHits = await prom.query(`palisade_agent_rule_packets_total{policy="${DENYING_POLICY}",action="Deny"}`);
      expect(ruleHits.map((s) => ({ rule: s.metric.rule, tier: s.metric.tier, direction: s.metric.direction }))).toEqual([
        { rule: '0', tier: 'default', direction: 'ingress' },
      ]);
      expect(only(await prom.query('sum(palisade_agent_drops_total{reason="policy"})'))).toBeGreaterThanOrEqual(DENIED_PROBES);
      expect(only(await prom.query('sum(palisade_agent_packets_total{verdict="allow"})'))).toBeGreaterThanOrEqual(DENIED_PROBES);

      // Requests appear under route templates, and no id is ever a label.
      const polls = await prom.query('sum by (route, method) (palisade_http_request_duration_seconds_count{route="/v1/agent/bundle"})');
      expect(polls.map((s) => s.metric.method)).toEqual(['GET']);
      expect(polls[0]!.value).toBeGreaterThan(0);
      expect(only(await prom.query('sum(palisade_http_request_duration_seconds_count{route="/v1/clusters/:id/policies",method="POST"})'))).toBeGreaterThan(0);
      expect(await prom.query('palisade_http_request_duration_seconds_count{route=~".*[0-9a-f]{8}-[0-9a-f]{4}-.*"}')).toEqual([]);

      // Map fill and programs are read from the kernel at scrape time.
      expect(only(await prom.query('palisade_agent_programs'))).toBeGreaterThan(0);
      expect(only(await prom.query('palisade_agent_map_capacity_entries{map="conntrack"}'))).toBeGreaterThan(0);
      expect(only(await prom.query('sum(palisade_agent_apply_duration_seconds_count{phase="compile"})'))).toBeGreaterThan(0);

      for (const [name, url] of [
        ['control plane', controlPlane.metricsUrl!],
        ['agent', `http://${agentTarget}/metrics`],
      ] as const) {
        const checked = await checkMetrics(await (await fetch(url)).text());
        seen[`promtool ${name}`] = checked;
        expect(checked.output, `promtool check metrics on the ${name}`).toBe('');
        expect(checked.code).toBe(0);
      }
    };

    const result = await runCase(controlPlane, metricsCase, {
      dataplane: 'ebpf',
      afterStep,
      agentArgs: ['--metrics-port', String(AGENT_METRICS_PORT)],
    });
    console.log(`[metrics] ${JSON.stringify(seen)}`);
    if (result.error) console.log(result.error.message, result.error.details?.log, prometheus?.log());
    expect(result.error).toBeUndefined();
    expect(passed(result)).toBe(true);
    expect(seen.revision).toBe(result.steps[0]!.revision);
  });
});
