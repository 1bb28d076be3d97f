// Figure 4: the agent's resident memory enforcing 10,000 rules over an inventory of 1,000 endpoints.
//
// The real agent process as it ships (bundled by the build's esbuild step and run with plain node and
// its shipped flags: bench/agent-runtime.ts; tsx only when asked, or when it does not build),
// started as the lab starts it (lab/run/agent-process.ts, in the node netns with the bench's bpffs),
// with a file inventory of 1,000 endpoints (the lab's three local pods on real veths, the rest
// remote pods on another node) and a signed 10,000-rule bundle in its state dir as the last good
// bundle, which it verifies and applies on start before any network call. The rules name some of the remote pods by label (so selectors resolve against the
// inventory) and the rest by ipBlock. Its control plane URL points at a closed port on the node
// netns' loopback: it keeps enforcing the restored bundle and retries in the background.
// Two seconds after its log says "bundle applied", VmRSS (and the peak, VmHWM) come from
// /proc/<pid>/status: by then the shipped agent has given the apply's garbage back
// (agent/memory/release.ts runs half a second after the apply).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LAST_GOOD_FILE } from '../agent/state/last-good.ts';
import { onExitSync } from '../lab/run/exit-hooks.ts';
import type { InventoryInput } from '../policy/inventory.ts';
import { type AgentRuntime, startBenchAgent } from './agent-runtime.ts';
import type { BundleIssuer } from './bundles.ts';
import { type BenchLab, IPERF_PORT } from './lab.ts';
import { cpuMs, statusMiB } from './process-status.ts';
import { progress } from './progress.ts';
import { BENCH_NAMESPACE, benchPolicySet, PEER_LABEL, peerPodIp } from './rules.ts';

const AGENT_NODE = 'bench-agent';
const APPLY_TIMEOUT_MS = 90_000;
/** Let the agent settle after applying (the apply's garbage is collectable, timers have run). */
const SETTLE_MS = 2000;

export interface AgentMemoryOptions {
  rules: number;
  /** Inventory size; the lab's local pods count towards it, remote pods make up the rest. */
  endpoints: number;
  revision: number;
  /** Compiled JavaScript (what ships: bench/agent-runtime.ts withShippedAgent) or tsx (`npm run agent`). */
  runtime: AgentRuntime;
}

/** What the run needs of a lab node: the bench lab, or the 250-pod node of pods-per-node.ts. */
export type AgentLab = Pick<BenchLab, 'inventory' | 'topology' | 'bpffsRoot' | 'dataplane' | 'client'>;

export interface AgentMemoryResult {
  rules: number;
  endpoints: number;
  localEndpoints: number;
  runtime: AgentRuntime['kind'];
  rssMiB: number;
  peakRssMiB: number;
  /** Process start to the "bundle applied" log line (node (+ tsx) start-up, restore, verify, apply). */
  startToAppliedMs: number;
  /** The agent's user plus system CPU from its start to then: less swayed by other work on the machine than the wall time. */
  startToAppliedCpuMs: number;
  /** The apply as the agent logged it. */
  agentApplyMs: number;
  /**
   * Where the time before the apply went, from the agent's log times against the spawn: its first
   * log line (node start-up and loading main.js's modules) and "last good bundle restored" (config,
   * trust root, dataplane start, inventory, reading and re-verifying the bundle). Absent when a line
   * is missing.
   */
  startToLoggingMs?: number;
  startToRestoredMs?: number;
}

/** Epoch ms of the agent's first log line saying `msg` (pino's `time`). */
function loggedAt(logFile: string, msg: string): number | undefined {
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes(msg)) continue;
    try {
      const entry = JSON.parse(line) as { msg?: string; time?: number };
      if (entry.msg === msg && typeof entry.time === 'number') return entry.time;
    } catch {
      // not a pino line
    }
  }
  return undefined;
}

/** The agent's log line saying the bundle is applied, if it is there yet. */
function appliedLine(logFile: string): { ms: number } | undefined {
  let text = '';
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    if (!line.includes('bundle applied')) continue;
    try {
      const entry = JSON.parse(line) as { msg?: string; ms?: number };
      if (entry.msg === 'bundle applied') return { ms: entry.ms ?? NaN };
    } catch {
      // not a pino line
    }
  }
  return undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function measureAgentMemory(lab: AgentLab, issuer: BundleIssuer, options: AgentMemoryOptions): Promise<AgentMemoryResult> {
  const local = lab.inventory({ withSpare: true });
  const remoteCount = Math.max(0, options.endpoints - local.endpoints.length);
  const remote: InventoryInput['endpoints'] = Array.from({ length: remoteCount }, (_, i) => ({
    namespace: BENCH_NAMESPACE,
    name: `peer-${i}`,
    labels: { [PEER_LABEL]: `p${i}`, app: 'peer' },
    ipv4: [peerPodIp(i)],
    node: 'elsewhere',
  }));
  const inventory = lab.inventory({ withSpare: true, extra: remote });
  const policy = benchPolicySet({ count: options.rules, clientIp: lab.client.ip, clientPort: IPERF_PORT, podPeers: remoteCount });
  const jws = await issuer.sign(options.revision, policy);

  const dir = mkdtempSync(join(tmpdir(), 'palisade-bench-agent-'));
  const forget = onExitSync(() => rmSync(dir, { recursive: true, force: true }));
  const stateDir = join(dir, 'state');
  const logFile = join(dir, 'agent.log');
  let agent: Awaited<ReturnType<typeof startBenchAgent>> | undefined;
  try {
    writeFileSync(join(dir, 'trust-root.json'), JSON.stringify(issuer.trustRoot));
    writeFileSync(join(dir, 'token'), 'bench-token-unused\n', { mode: 0o600 });
    writeFileSync(join(dir, 'inventory.json'), JSON.stringify(inventory));
    mkdirSync(stateDir);
    writeFileSync(join(stateDir, LAST_GOOD_FILE), `${JSON.stringify({ format: 1, revision: options.revision, jws, appliedAt: new Date().toISOString() })}\n`, {
      mode: 0o600,
    });

    // the agent pins under the bench's bpffs (PALISADE_BPFFS), which its mount namespace inherits
    process.env.PALISADE_BPFFS = lab.bpffsRoot;
    const started = performance.now();
    const spawnedAt = Date.now();
    const { runtime } = options;
    agent = await startBenchAgent(runtime, {
      netns: lab.topology.nodeNetns,
      logFile,
      args: [
        '--control-plane-url',
        'http://127.0.0.1:9',
        '--token-file',
        join(dir, 'token'),
        '--trust-root',
        join(dir, 'trust-root.json'),
        '--tenant-id',
        issuer.identity.tenantId,
        '--cluster-id',
        issuer.identity.clusterId,
        '--node-name',
        AGENT_NODE,
        '--state-dir',
        stateDir,
        '--inventory-file',
        join(dir, 'inventory.json'),
        '--log-level',
        'info',
      ],
      onSpawn: (pid) => lab.topology.adoptPid(pid),
      onExit: (pid) => lab.topology.releasePid(pid),
    });
    progress(
      `agent (${runtime.kind}): started (pid ${agent.pid}) with ${options.rules} rules, ${inventory.endpoints.length} endpoints (${local.endpoints.length} local); waiting for "bundle applied"`,
    );
    let applied = appliedLine(logFile);
    while (!applied) {
      const exited = agent.exited();
      if (exited) throw new Error(`${exited.message}\n${agent.logTail(20)}`);
      if (performance.now() - started > APPLY_TIMEOUT_MS) throw new Error(`the agent did not apply within ${APPLY_TIMEOUT_MS} ms:\n${agent.logTail(20)}`);
      await sleep(50);
      applied = appliedLine(logFile);
    }
    const startToAppliedMs = performance.now() - started;
    const startToAppliedCpuMs = cpuMs(agent.pid);
    const sinceSpawn = (msg: string) => {
      const at = loggedAt(logFile, msg);
      return at === undefined ? undefined : at - spawnedAt;
    };
    const startToLoggingMs = sinceSpawn('palisade agent starting');
    const startToRestoredMs = sinceSpawn('last good bundle restored');
    await sleep(SETTLE_MS);
    const result: AgentMemoryResult = {
      rules: options.rules,
      endpoints: inventory.endpoints.length,
      localEndpoints: local.endpoints.length,
      runtime: runtime.kind,
      rssMiB: statusMiB(agent.pid, 'VmRSS'),
      peakRssMiB: statusMiB(agent.pid, 'VmHWM'),
      startToAppliedMs,
      startToAppliedCpuMs,
      agentApplyMs: applied.ms,
      ...(startToLoggingMs !== undefined && { startToLoggingMs }),
      ...(startToRestoredMs !== undefined && { startToRestoredMs }),
    };
    progress(
      `agent: applied after ${startToAppliedMs.toFixed(0)} ms, ${startToAppliedCpuMs} ms of CPU (first log ${startToLoggingMs} ms, restored ${startToRestoredMs} ms, apply ${applied.ms} ms); VmRSS ${result.rssMiB.toFixed(1)} MiB, VmHWM ${result.peakRssMiB.toFixed(1)} MiB`,
    );
    return result;
  } finally {
    await agent?.stop();
    // its pinned links and maps: detached and unpinned now (the netns and bpffs teardown would too)
    try {
      await lab.dataplane(AGENT_NODE).uninstall();
    } catch {
      // torn down with the lab anyway
    }
    delete process.env.PALISADE_BPFFS;
    rmSync(dir, { recursive: true, force: true });
    forget();
  }
}

/** Figure 4's two runs: 10,000 rules over 1,000 endpoints, and the baseline: 10 rules over the lab's local pods alone. */
export async function measureAgentFigures(
  lab: AgentLab,
  issuer: BundleIssuer,
  options: { runtime: AgentRuntime; rules: number; endpoints: number; nextRevision(): number },
): Promise<{ agent: AgentMemoryResult; agentBaseline: AgentMemoryResult }> {
  const { runtime } = options;
  // what the process costs anyway
  const agentBaseline = await measureAgentMemory(lab, issuer, { rules: 10, endpoints: 0, revision: options.nextRevision(), runtime });
  const agent = await measureAgentMemory(lab, issuer, { rules: options.rules, endpoints: options.endpoints, revision: options.nextRevision(), runtime });
  return { agent, agentBaseline };
}
