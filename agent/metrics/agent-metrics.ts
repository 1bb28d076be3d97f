// The agent's metrics: what its pipeline records as it goes (apply phase durations, bundle
// verification failures) and what is read when Prometheus scrapes (the daemon's revisions, and the
// dataplane's counters and map sizes straight from the kernel: never on a timer). One registry per
// agent, never prom-client's global one. Labels stay bounded: a rule is named by tier, policy id
// (Kind/namespace/name), rule index and action, all bounded by the plan's policy and rule limits; a
// pod by namespace/name, bounded by the pods on the node; never an address or a bundle id.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DataplaneObservation, DataplanePhase } from '../datapath/dataplane.ts';
import { createRuleFamilyRenderer } from './rule-families.ts';

/** The agent pipeline's phases (agent/apply/pipeline.ts), then the eBPF dataplane's inside `enforce`. */
export type ApplyPhase = 'accept' | 'admit' | 'enforce' | 'record' | DataplanePhase;

/** What the pipeline and the dataplane record as they go. */
export interface AgentMetricsRecorder {
  observePhase(phase: ApplyPhase, seconds: number): void;
  verificationFailed(code: string): void;
  /** A revision the control plane offered, verified or not: the newest one the agent has heard of. */
  revisionOffered(revision: number): void;
}

/** The daemon's view at scrape time. */
export interface RevisionView {
  appliedRevision: number;
  /** The newest revision verified (applied or held), with when the control plane issued it. */
  newestVerified: { revision: number; issuedAt: Date } | undefined;
}

export interface AgentMetricsSources {
  revisions(): RevisionView;
  /** undefined when the dataplane counts nothing (dry run). */
  observe?: () => DataplaneObservation;
  clock?: () => Date;
}

export interface AgentMetrics extends AgentMetricsRecorder {
  registry: Registry;
  /** Reads the sources, then renders every family: one kernel read per scrape. */
  scrape(): Promise<string>;
  /** Connects the scrape-time families to the running daemon and dataplane. */
  watch(sources: AgentMetricsSources): void;
}

/** Seconds: a straight-line apply of a few rules takes milliseconds, 10,000 rules about half a second. */
const PHASE_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Node-wide stats (datapath/layouts.ts STAT_REASONS) that drop a packet as malformed. */
const MALFORMED_STATS = ['vlan_dropped', 'malformed_ethernet', 'malformed_ipv4', 'malformed_ipv6', 'malformed_l4', 'ipv6_ext_limit', 'fragment_orphan'];

export function createAgentMetrics(): AgentMetrics {
  const registry = new Registry();
  let latestOffered = 0;
  let sources: AgentMetricsSources | undefined;
  let observation: DataplaneObservation | undefined;
  const renderRuleFamilies = createRuleFamilyRenderer();

  const phases = new Histogram({
    name: 'palisade_agent_apply_duration_seconds',
    help: 'Time of each phase of applying a bundle: accept, admit, enforce, record; inside enforce, the eBPF dataplane plan, compile, load, swap.',
    labelNames: ['phase'],
    buckets: PHASE_BUCKETS,
    registers: [registry],
  });
  const verificationFailures = new Counter({
    name: 'palisade_agent_bundle_verification_failures_total',
    help: 'Bundles refused by the acceptance test, by code (BAD_SIGNATURE, WRONG_CLUSTER, ROLLBACK, EXPIRED, TOO_LARGE, ...).',
    labelNames: ['code'],
    registers: [registry],
  });

  new Gauge({
    name: 'palisade_agent_applied_revision',
    help: 'Revision of the bundle enforced now (0: none).',
    registers: [registry],
    collect() {
      this.set(sources?.revisions().appliedRevision ?? 0);
    },
  });
  new Gauge({
    name: 'palisade_agent_latest_revision',
    help: 'Newest revision the control plane has offered this agent, applied or not.',
    registers: [registry],
    collect() {
      const view = sources?.revisions();
      this.set(Math.max(latestOffered, view?.appliedRevision ?? 0, view?.newestVerified?.revision ?? 0));
    },
  });
  new Gauge({
    name: 'palisade_agent_latest_revision_age_seconds',
    help: 'Seconds since the control plane issued the newest verified revision (applied or held); absent before the first.',
    registers: [registry],
    collect() {
      const newest = sources?.revisions().newestVerified;
      const now = (sources?.clock ?? (() => new Date()))();
      // Absent rather than 0 before the first bundle: 0 would read as "just issued".
      if (newest) this.set(Math.max(0, (now.getTime() - newest.issuedAt.getTime()) / 1000));
      else this.remove();
    },
  });

  // The dataplane's families: each reads the observation scrape() took (none: the family is empty).
  function observed<M extends { reset(): void; remove(...values: string[]): void }>(fill: (metric: M, o: DataplaneObservation) => void, labelled = true) {
    return function collect(this: M) {
      this.reset();
      if (observation) fill(this, observation);
      // reset() leaves an unlabelled family at 0; without a dataplane it has no value at all.
      else if (!labelled) this.remove();
    };
  }

  new Gauge({
    name: 'palisade_agent_programs',
    help: 'eBPF programs loaded (endpoints with alike policies share one).',
    registers: [registry],
    collect: observed<Gauge>((g, o) => g.set(o.programs), false),
  });
  new Gauge({
    name: 'palisade_agent_map_entries',
    help: "Entries in use in the node-wide maps (conntrack, fragments, bandwidth) and the programs' own maps.",
    labelNames: ['map'],
    registers: [registry],
    collect: observed<Gauge<'map'>>((g, o) => {
      for (const m of o.maps) g.set({ map: m.name }, m.entries);
    }),
  });
  new Gauge({
    name: 'palisade_agent_map_capacity_entries',
    help: 'Entries each map can hold.',
    labelNames: ['map'],
    registers: [registry],
    collect: observed<Gauge<'map'>>((g, o) => {
      for (const m of o.maps) g.set({ map: m.name }, m.capacity);
    }),
  });
  new Gauge({
    name: 'palisade_agent_conntrack_entries',
    help: "Tracked connections in the node's conntrack maps (IPv4 and IPv6) now.",
    registers: [registry],
    collect: observed<Gauge>(
      (g, o) => g.set(o.maps.filter((m) => m.name === 'conntrack' || m.name === 'conntrack6').reduce((n, m) => n + m.entries, 0)),
      false,
    ),
  });

  const byVerdict = (field: 'packets' | 'bytes') =>
    observed<Counter<'verdict'>>((c, o) => {
      const sums = { allow: 0, deny: 0 };
      for (const hit of o.rules)
        if (!hit.staged && (hit.action === 'Allow' || hit.action === 'Deny')) sums[hit.action === 'Allow' ? 'allow' : 'deny'] += hit[field];
      c.inc({ verdict: 'allow' }, sums.allow);
      c.inc({ verdict: 'deny' }, sums.deny);
    });
  new Counter({
    name: 'palisade_agent_packets_total',
    help: 'Packets a rule or tier default decided, by verdict (new flows and every denied packet: established flows skip policy).',
    labelNames: ['verdict'],
    registers: [registry],
    collect: byVerdict('packets'),
  });
  new Counter({
    name: 'palisade_agent_bytes_total',
    help: 'Bytes of the packets counted in palisade_agent_packets_total, by verdict.',
    labelNames: ['verdict'],
    registers: [registry],
    collect: byVerdict('bytes'),
  });

  // palisade_agent_rule_packets_total and palisade_agent_policy_packets_total: rule-families.ts.

  new Counter({
    name: 'palisade_agent_drops_total',
    help: 'Packets dropped, by reason: policy (denied), malformed (headers that do not parse, orphan fragments), bandwidth (over a token bucket), untracked (doNotTrack rules at XDP).',
    labelNames: ['reason'],
    registers: [registry],
    collect: observed<Counter<'reason'>>((c, o) => {
      c.inc({ reason: 'policy' }, o.events.policy_denied ?? 0);
      c.inc(
        { reason: 'malformed' },
        MALFORMED_STATS.reduce((n, s) => n + (o.events[s] ?? 0), 0),
      );
      c.inc(
        { reason: 'bandwidth' },
        o.bandwidth.reduce((n, b) => n + b.droppedPackets, 0),
      );
      c.inc(
        { reason: 'untracked' },
        (o.untracked ?? []).reduce((n, h) => n + h.packets, 0),
      );
    }),
  });
  new Counter({
    name: 'palisade_agent_untracked_drops_total',
    help: 'Packets the untracked (doNotTrack) rules dropped at XDP on host interfaces, before connection tracking, by interface, XDP mode (native or generic), tier, policy id and rule index.',
    labelNames: ['interface', 'mode', 'tier', 'policy', 'rule'],
    registers: [registry],
    collect: observed<Counter<'interface' | 'mode' | 'tier' | 'policy' | 'rule'>>((c, o) => {
      for (const h of o.untracked ?? [])
        c.inc({ interface: h.interface, mode: h.mode, tier: h.tier, policy: h.policyId, rule: String(h.ruleIndex) }, h.packets);
    }),
  });
  new Counter({
    name: 'palisade_agent_datapath_events_total',
    help: 'Packets the datapath handled without a rule, by reason (non_ip_passed, malformed_ipv4, fragment_admitted, nd_failsafe, events_lost, ...).',
    labelNames: ['reason'],
    registers: [registry],
    collect: observed<Counter<'reason'>>((c, o) => {
      for (const [reason, n] of Object.entries(o.events)) c.inc({ reason }, n);
    }),
  });

  // Buckets several pods share have no pod label value and are summed per direction.
  const byPod = (unit: 'Packets' | 'Bytes') =>
    observed<Counter<'pod' | 'direction' | 'result'>>((c, o) => {
      for (const b of o.bandwidth) {
        const labels = { pod: b.pod ?? '', direction: b.direction };
        c.inc({ ...labels, result: 'passed' }, b[`passed${unit}`]);
        c.inc({ ...labels, result: 'dropped' }, b[`dropped${unit}`]);
      }
    });
  new Counter({
    name: 'palisade_agent_bandwidth_packets_total',
    help: 'Packets token buckets passed or dropped, by pod (namespace/name; empty for buckets several pods share), direction and result.',
    labelNames: ['pod', 'direction', 'result'],
    registers: [registry],
    collect: byPod('Packets'),
  });
  new Counter({
    name: 'palisade_agent_bandwidth_bytes_total',
    help: 'L2 bytes token buckets passed or dropped, by pod (empty for shared buckets), direction and result.',
    labelNames: ['pod', 'direction', 'result'],
    registers: [registry],
    collect: byPod('Bytes'),
  });

  return {
    registry,
    observePhase: (phase, seconds) => phases.observe({ phase }, seconds),
    verificationFailed: (code) => verificationFailures.inc({ code }),
    revisionOffered(revision) {
      latestOffered = Math.max(latestOffered, revision);
    },
    watch(watched) {
      sources = watched;
    },
    async scrape() {
      observation = sources?.observe?.();
      try {
        return (await registry.metrics()) + renderRuleFamilies(observation?.rules);
      } finally {
        observation = undefined;
      }
    },
  };
}
