// Probing between lab pods with real packets: one agent per pod (serving its ports and sending
// its probes), probes dispatched to the `from` pod's agent, many in flight at once.
import { LabError, ok, type Result } from '../errors.ts';
import type { Topology } from '../net/topology.ts';
import { type AgentClient, startAgent } from './agent-client.ts';
import { mapLimit } from './limit.ts';
import type { ProbeReason, ServePort } from './protocol.ts';

export interface ProbeSpec {
  /** "ns/pod" */
  from: string;
  to: string;
  port: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  /** Default: the prober's timeoutMs. */
  timeoutMs?: number;
  /** Probe the target's IPv4 (default) or IPv6 address. */
  family?: 4 | 6;
  /** Connect to this address instead of the target's own: a Service's ClusterIP the node translates to the target. */
  address?: string;
}

export interface ProbeOutcome<S extends ProbeSpec = ProbeSpec> {
  probe: S;
  connected: boolean;
  /** 'agent_error' when the probe could not be run at all; `error` says why. */
  reason: ProbeReason | 'agent_error';
  ms: number;
  error?: LabError;
}

export interface Prober {
  /** true = connected. Throws a LabError when the probe could not be run (unknown pod, dead agent). */
  probe(spec: ProbeSpec): Promise<boolean>;
  /** Every probe, at most `concurrency` in flight, outcomes in input order. Never throws. */
  probeAll<S extends ProbeSpec>(specs: readonly S[], opts?: { concurrency?: number }): Promise<ProbeOutcome<S>[]>;
  /** Stops every agent (idempotent); topology.destroy() calls it too. */
  close(): Promise<void>;
}

export interface ProberOptions {
  /** Per-probe timeout; also how long every expected denial takes. Default 1000 ms. */
  timeoutMs?: number;
  /** Default bound for probeAll. */
  concurrency?: number;
  readyTimeoutMs?: number;
}

export async function startProber(topology: Topology, opts: ProberOptions = {}): Promise<Result<Prober>> {
  const timeoutMs = opts.timeoutMs ?? 1000;
  const defaultConcurrency = opts.concurrency ?? 256;
  const agents = new Map<string, AgentClient>();
  let closed = false;

  const close = async () => {
    closed = true;
    await Promise.all([...agents.values()].map((a) => a.close()));
    agents.clear();
  };
  topology.defer(close);

  // SCTP is not servable here (no SCTP module on our machines, see DESIGN.md); it is skipped.
  const started = await Promise.allSettled(
    [...topology.pods.values()].map(async (pod) => {
      const serve: ServePort[] = pod.ports
        .filter((p): p is typeof p & { protocol: 'TCP' | 'UDP' } => p.protocol !== 'SCTP')
        .map((p) => ({ port: p.port, protocol: p.protocol }));
      // one socket serves a port/protocol once, even if a case declares it under two names
      const unique = [...new Map(serve.map((s) => [`${s.protocol}/${s.port}`, s])).values()];
      const agent = await startAgent({
        netns: pod.netns,
        config: { key: pod.key, serve: unique },
        readyTimeoutMs: opts.readyTimeoutMs ?? 30_000,
        onSpawn: (pid) => topology.adoptPid(pid),
        onExit: (pid) => topology.releasePid(pid),
      });
      agents.set(pod.key, agent);
    }),
  );
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await close();
    const e = failed.reason;
    return { ok: false, error: e instanceof LabError ? e : new LabError('agent_failed', String(e)) };
  }

  const run = async <S extends ProbeSpec>(spec: S): Promise<ProbeOutcome<S>> => {
    const fail = (e: LabError): ProbeOutcome<S> => ({ probe: spec, connected: false, reason: 'agent_error', ms: 0, error: e });
    if (closed) return fail(new LabError('destroyed', 'prober is closed'));
    const agent = agents.get(spec.from);
    const target = topology.pods.get(spec.to);
    if (!agent) return fail(new LabError('unknown_pod', `no pod ${spec.from}`));
    if (!target) return fail(new LabError('unknown_pod', `no pod ${spec.to}`));
    if (spec.protocol === 'SCTP') return fail(new LabError('unsupported_protocol', 'SCTP cannot be probed with real packets here'));
    const host = spec.address ?? (spec.family === 6 ? target.ipv6 : target.ip);
    if (host === undefined) return fail(new LabError('unknown_pod', `${spec.to} has no IPv6 address`));
    try {
      const a = await agent.probe(host, spec.port, spec.protocol, spec.timeoutMs ?? timeoutMs);
      return { probe: spec, connected: a.connected, reason: a.reason, ms: a.ms };
    } catch (e) {
      return fail(e instanceof LabError ? e : new LabError('agent_failed', String(e)));
    }
  };

  return ok({
    probe: async (spec) => {
      const o = await run(spec);
      if (o.error) throw o.error;
      return o.connected;
    },
    probeAll: (specs, o) => mapLimit(specs, o?.concurrency ?? defaultConcurrency, run),
    close,
  });
}
