// One reachability case end to end, through every real part: the case's topology in network
// namespaces, a tenant and cluster on the control plane made through its REST API, the real agent
// process in the node netns pulling signed bundles and reading the inventory file, and real TCP/UDP
// probes between the pods. Per step: delete, relabel, apply (FORMAT.md's order), wait until the
// change is in force (converge.ts), probe every expected pair. Everything the run made is removed
// in `finally`, and by exit hooks if the process dies first.

import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureBpffs } from '../../bpf/kernel/pin.ts';
import { inventoryHash, inventorySchema } from '../../policy/inventory.ts';
import { type ExpandedCase, type ExpandedProbe, expandCase, type LabTopology, substituteAddresses } from '../case/expand.ts';
import { loadCase } from '../case/load.ts';
import { applyRelabels } from '../case/relabel.ts';
import type { LabCase } from '../case/schema.ts';
import { createTopology, type Topology } from '../net/topology.ts';
import { checkProbes } from '../probe/check.ts';
import { mapLimit } from '../probe/limit.ts';
import { type ProbeOutcome, type Prober, startProber } from '../probe/prober.ts';
import { type AgentProcess, noteInLog, startAgentProcess } from './agent-process.ts';
import { type AgentStatusError, describeRef, type Explanation, LabApi, refOf } from './api.ts';
import type { LabControlPlane, Listener } from './control-plane.ts';
import { type AgentWatch, waitForAgentApplied, waitForAgentInventory, waitForAgentReport, waitForCurrentBundle, waitForExplainInventory } from './converge.ts';
import { RunError } from './errors.ts';
import { onExitSync } from './exit-hooks.ts';
import { inventoryOf, writeInventory } from './inventory.ts';
import { syncKubeProxy } from './kube-proxy.ts';
import { nodeNameOf, removePinsSync, runDirOf } from './run-files.ts';
import { createUplink, type Uplink } from './uplink.ts';

export type DataplaneChoice = 'ebpf' | 'dry-run';

export interface RunCaseOptions {
  /** Passed to the agent's --dataplane. 'ebpf' enforces; 'dry-run' enforces nothing (plumbing only). */
  dataplane: DataplaneChoice;
  /** Per-probe timeout, the cost of each round with an expected denial. Default 1000 ms. */
  probeTimeoutMs?: number;
  /** Mismatches are probed again this many times before they count (lab/probe/check.ts). Default 1. */
  retries?: number;
  /** Copy the agent's log here as `<case file name>.agent.log` when the case does not pass. */
  agentLogDir?: string;
  /** Progress lines (setup done, step n converged, ...). */
  log?: (line: string) => void;
  /**
   * Runs after a step's probes, with the run's parts in hand: for tests of what happens around the
   * policy (agent restarts, a control plane gone) rather than of the policy itself.
   */
  afterStep?: (step: number, control: StepControl) => Promise<void>;
  /**
   * After each step's probes, ask the control plane to explain every probe (GET
   * /v1/clusters/{id}/explain, once it holds the agent's current inventory) and record where the
   * explanation's verdict differs from the observed outcome: `explainDisagreements`, which fail the
   * case like mismatches do.
   */
  explain?: boolean;
  /** More flags for the agent (e.g. `--metrics-port`), after the runner's own. */
  agentArgs?: readonly string[];
  /** More environment for the first agent only (a fault test's hook); agents started by StepControl get none. */
  agentEnv?: Readonly<Record<string, string>>;
}

/** A probe not put to explain, and why. */
export interface ExplainSkip {
  probe: ExpandedProbe;
  reason: string;
}

/**
 * Explain takes two pods and judges both ends at the server's address; a probe to a ClusterIP is
 * judged by the client's egress at the ClusterIP (before Service translation) and the server's
 * ingress at the endpoint, which no single explain query states.
 */
const CLUSTER_IP_SKIP = 'addressed to a Service ClusterIP: explain judges pod-to-pod packets, the agent judges the client at the ClusterIP';

/** A probe whose explanation says otherwise than the packets did. */
export interface ExplainDisagreement {
  probe: ExpandedProbe;
  /** What the probe saw (after retries). */
  observed: boolean;
  explanation: Explanation;
}

export interface StepControl {
  prober: Prober;
  topology: Topology;
  /** The node's address on its uplink: where the root namespace reaches what the agent listens on. */
  nodeAddress: string;
  /** Stops the agent process (SIGTERM: programs stay attached), starts a new one, waits for its first report. */
  restartAgent(): Promise<void>;
  /** Closes the listener the agent reaches the control plane through: the control plane is gone for it. */
  disconnectControlPlane(): Promise<void>;
  /** Applies policy objects through the API without waiting for the agent; resolves to the bundle revision that carries them. */
  applyPolicies(objects: readonly { kind: string; metadata: { name: string; namespace?: string | undefined } }[]): Promise<number>;
  /** Every line the run's agents logged so far (pino JSON, and the runner's notes). */
  agentLog(): Promise<string[]>;
  /** Starts a new agent process without waiting for its first report (which a disconnected control plane never gets). */
  startAgent(): Promise<void>;
  /** SIGKILLs the agent process: no shutdown path of the agent runs. */
  killAgent(): Promise<void>;
}

export interface StepResult {
  /** 1-based, as people count steps in a case file. */
  step: number;
  outcomes: ProbeOutcome<ExpandedProbe>[];
  mismatches: ProbeOutcome<ExpandedProbe>[];
  /** The bundle revision in force while probing (undefined: no policy was ever written). */
  revision: number | undefined;
  /** What the agent reported alongside that revision (per-endpoint errors do not block a revision). */
  agentErrors: AgentStatusError[];
  /** Evaluation strategies of the programs the agent reported for that revision (e.g. straight-line, classifier). */
  strategies: string[];
  /** With `explain`: the probes whose explanation disagrees with what was observed (probes that could not run are left out). */
  explainDisagreements: ExplainDisagreement[];
  /** With `explain`: how many probes were explained. */
  explained: number;
  /** With `explain`: probes that ran but were not explained, with the reason. */
  explainSkipped: ExplainSkip[];
  ms: { change: number; converge: number; probe: number; explain: number };
}

export interface CaseResult {
  name: string;
  file?: string;
  /** Expected probes of every step. */
  probes: number;
  steps: StepResult[];
  /** Set when the case could not be run to its end: the steps before it are still reported. */
  error?: RunError;
  ms: { setup: number; steps: number; teardown: number; total: number };
}

export const passed = (r: CaseResult): boolean =>
  r.error === undefined && r.steps.every((s) => s.mismatches.length === 0 && s.explainDisagreements.length === 0);

// Explanations are cheap API calls; a few in flight keep a step's check short without crowding the control plane.
const EXPLAIN_CONCURRENCY = 8;

/**
 * Asks the control plane to explain every probe that ran, once it explains with the inventory the
 * agent enforces (`inventoryHash`), and returns the ones whose verdict differs from what was observed.
 */
async function explainProbes(
  api: LabApi,
  watch: AgentWatch,
  inventoryHash: string,
  outcomes: readonly ProbeOutcome<ExpandedProbe>[],
): Promise<{ explained: number; disagreements: ExplainDisagreement[]; skipped: ExplainSkip[] }> {
  const skipped = outcomes.filter((o) => o.error === undefined && o.probe.address !== undefined).map((o) => ({ probe: o.probe, reason: CLUSTER_IP_SKIP }));
  const ran = outcomes.filter((o) => o.error === undefined && o.probe.address === undefined);
  if (ran.length === 0) return { explained: 0, disagreements: [], skipped };
  const query = (p: ExpandedProbe) => ({ from: p.from, to: p.to, port: p.port, protocol: p.protocol });
  await waitForExplainInventory(api, watch, inventoryHash, query(ran[0]!.probe));
  const explanations = await mapLimit(ran, EXPLAIN_CONCURRENCY, (o) => api.explain(watch.clusterId, query(o.probe)));
  const disagreements = ran.flatMap((o, i) => {
    const explanation = explanations[i]!;
    return (explanation.verdict === 'allow') === o.connected ? [] : [{ probe: o.probe, observed: o.connected, explanation }];
  });
  return { explained: ran.length, disagreements, skipped };
}

// The agent's long-poll returns as soon as a bundle exists; the wait only bounds idle requests.
const AGENT_WAIT_SECONDS = 10;
// Reports go out after every apply anyway; the timer is the backstop for a report that raced one.
const AGENT_STATUS_INTERVAL_SECONDS = 1;

const toRunError = (e: unknown): RunError =>
  e instanceof RunError ? e : new RunError('setup_failed', e instanceof Error ? e.message : String(e), { cause: e });

interface Tenant {
  api: LabApi;
  tenantId: string;
  clusterId: string;
  agentToken: string;
  trustRoot: string;
}

async function setUpTenant(baseUrl: string): Promise<Tenant> {
  const api = new LabApi(baseUrl);
  const suffix = randomBytes(4).toString('hex');
  const { tenantId } = await api.signUp(`lab-${suffix}`);
  const cluster = await api.createCluster(`lab-${suffix}`);
  const [agentToken, trustRoot] = await Promise.all([api.createAgentToken(cluster.id, 'lab-agent'), api.trustRoot()]);
  return { api, tenantId, clusterId: cluster.id, agentToken, trustRoot };
}

export async function runCase(cp: LabControlPlane, source: string | LabCase, options: RunCaseOptions): Promise<CaseResult> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const file = typeof source === 'string' ? source : undefined;
  const result: CaseResult = {
    name: file ?? (source as LabCase).name,
    ...(file ? { file } : {}),
    probes: 0,
    steps: [],
    ms: { setup: 0, steps: 0, teardown: 0, total: 0 },
  };

  let expanded: ExpandedCase;
  {
    const loaded = typeof source === 'string' ? await loadCase(source) : { ok: true as const, value: source };
    const r = loaded.ok ? expandCase(loaded.value) : loaded;
    if (!r.ok) {
      result.error = new RunError('invalid_case', r.error.message, { code: r.error.code });
      result.ms.total = performance.now() - started;
      return result;
    }
    expanded = r.value;
  }
  result.name = expanded.name;
  result.probes = expanded.steps.reduce((n, s) => n + s.probes.length, 0);

  // Made in this order, removed in reverse (teardown below).
  let topology: Topology | undefined;
  let uplink: Uplink | undefined;
  let listener: Listener | undefined;
  let agent: AgentProcess | undefined;
  let prober: Prober | undefined;
  let runDir: string | undefined;
  let nodeName: string | undefined;
  let unregisterExitHook: (() => void) | undefined;
  let logFile: string | undefined;

  const stepsStarted = { at: 0 };
  try {
    // The tenant (API calls) and the topology (netlink) do not depend on each other.
    const tenantP = setUpTenant(cp.url).then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error: toRunError(error) }),
    );
    const topo = await createTopology(expanded.topology);
    const tenant = await tenantP;
    if (!topo.ok) throw new RunError('setup_failed', topo.error.message, { code: topo.error.code });
    topology = topo.value;
    if (!tenant.ok) throw tenant.error;
    const { api, tenantId, clusterId } = tenant.value;

    const runId = topology.runId;
    nodeName = nodeNameOf(runId);
    runDir = runDirOf(runId);
    const dirs = { run: runDir, node: nodeName };
    unregisterExitHook = onExitSync(() => {
      if (agent && !agent.exited()) {
        try {
          process.kill(agent.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      uplink?.removeSync();
      removePinsSync(dirs.node);
      rmSync(dirs.run, { recursive: true, force: true });
    });
    await rm(runDir, { recursive: true, force: true }); // a dead run's dir by the same id: not ours to keep
    await mkdir(join(runDir, 'inventory'), { recursive: true });
    await mkdir(join(runDir, 'state'), { recursive: true });

    uplink = await createUplink(topology);
    listener = await cp.listen(uplink.rootAddress);

    const paths = {
      trustRoot: join(runDir, 'trust-root.json'),
      token: join(runDir, 'agent-token'),
      inventory: join(runDir, 'inventory', 'inventory.json'),
      log: join(runDir, 'agent.log'),
    };
    logFile = paths.log;
    await writeFile(paths.trustRoot, tenant.value.trustRoot);
    await writeFile(paths.token, tenant.value.agentToken, { mode: 0o600 });
    await chmod(paths.token, 0o600);
    let cluster: LabTopology = expanded.topology;
    const firstInventory = inventoryOf(cluster, topology, nodeName);
    await writeInventory(paths.inventory, firstInventory);
    let kubeProxy = await syncKubeProxy(cluster, topology, false);
    /** Hash of the inventory last written: what the agent enforces with once a step converged. */
    let writtenHash = inventoryHash(inventorySchema.parse(firstInventory));

    const net = topology;
    const agentUrl = listener.url;
    const stateDir = join(runDir, 'state');
    const node = nodeName;
    const launchAgent = (env?: Readonly<Record<string, string>>) =>
      startAgentProcess({
        netns: net.nodeNetns,
        logFile: paths.log,
        ...(env && { env }),
        args: [
          '--control-plane-url',
          agentUrl,
          '--token-file',
          paths.token,
          '--trust-root',
          paths.trustRoot,
          '--tenant-id',
          tenantId,
          '--cluster-id',
          clusterId,
          '--node-name',
          node,
          '--state-dir',
          stateDir,
          '--inventory-file',
          paths.inventory,
          '--dataplane',
          options.dataplane,
          '--wait-seconds',
          String(AGENT_WAIT_SECONDS),
          '--status-interval-seconds',
          String(AGENT_STATUS_INTERVAL_SECONDS),
          '--log-level',
          'info',
          ...(options.agentArgs ?? []),
        ],
        onSpawn: (pid) => net.adoptPid(pid),
        onExit: (pid) => net.releasePid(pid),
      });
    // The agent binds the host's bpffs into its own mount namespace (agent-process.ts); on a host
    // without one it would mount a private bpffs whose pins, and enforcement, die with the process.
    // So mount it first, as a node's one-shot init container does for the DaemonSet.
    if (options.dataplane === 'ebpf') ensureBpffs();
    const agentP = launchAgent(options.agentEnv);
    const proberP = startProber(net, { timeoutMs: options.probeTimeoutMs ?? 1000 });
    const [agentR, proberR] = await Promise.allSettled([agentP, proberP]);
    if (agentR.status === 'fulfilled') agent = agentR.value;
    if (proberR.status === 'fulfilled' && proberR.value.ok) prober = proberR.value.value;
    if (agentR.status === 'rejected') throw toRunError(agentR.reason);
    if (proberR.status === 'rejected') throw toRunError(proberR.reason);
    if (!proberR.value.ok) throw new RunError('setup_failed', `probe agents: ${proberR.value.error.message}`);

    const watch: AgentWatch = {
      clusterId,
      nodeName,
      checkAlive: () => {
        const dead = agent!.exited();
        if (dead) throw dead;
      },
    };
    await waitForAgentReport(api, watch);
    result.ms.setup = performance.now() - started;
    log(`setup ${result.ms.setup.toFixed(0)} ms (node ${nodeName}, ${net.pods.size} pods, agent at ${listener.url})`);

    stepsStarted.at = performance.now();
    let revision: number | undefined;
    let agentErrors: AgentStatusError[] = [];
    let strategies: string[] = [];
    let yamlSent = false;
    for (const [i, step] of expanded.steps.entries()) {
      const t0 = performance.now();
      await noteInLog(paths.log, `step ${i + 1}`).catch(() => {});
      for (const ref of step.delete) {
        await api.deletePolicy(clusterId, ref);
        log(`step ${i + 1}: deleted ${describeRef(ref)}`);
      }

      let relabelledHash: string | undefined;
      if (step.relabel.length > 0) {
        const relabelled = applyRelabels(cluster, step.relabel);
        if (!relabelled.ok) throw new RunError('invalid_case', `steps.${i}.relabel: ${relabelled.error.message}`);
        cluster = relabelled.value;
        const inventory = inventoryOf(cluster, net, nodeName);
        await writeInventory(paths.inventory, inventory);
        kubeProxy = await syncKubeProxy(cluster, net, kubeProxy);
        relabelledHash = inventoryHash(inventorySchema.parse(inventory));
        writtenHash = relabelledHash;
        log(`step ${i + 1}: relabelled ${step.relabel.map((r) => (r.kind === 'Pod' ? `pod ${r.namespace}/${r.name}` : `namespace ${r.name}`)).join(', ')}`);
      }

      const objects = substituteAddresses(step.apply, (key) => net.pods.get(key)?.ip);
      if (!objects.ok) throw new RunError('invalid_case', `steps.${i}.apply: ${objects.error.message}`);
      for (const object of objects.value) {
        // One object per case goes as YAML: users write YAML, and the API must take it the same.
        const how = await api.applyPolicy(clusterId, { ...refOf(object), manifest: object }, !yamlSent);
        log(`step ${i + 1}: ${how} ${describeRef(refOf(object))}${yamlSent ? '' : ' (sent as YAML)'}`);
        yamlSent = true;
      }

      const t1 = performance.now();
      if (step.delete.length + objects.value.length > 0) {
        const bundle = await waitForCurrentBundle(api, clusterId);
        if (bundle) {
          const status = await waitForAgentApplied(api, watch, bundle.revision);
          revision = bundle.revision;
          agentErrors = status.errors;
          strategies = [...new Set(Object.values(status.programs).flatMap((stats) => String((stats as { strategy?: string }).strategy ?? '').split(',')))]
            .filter((name) => name !== '' && name !== 'none')
            .sort();
        }
      }
      if (relabelledHash !== undefined) await waitForAgentInventory(api, watch, relabelledHash);
      watch.checkAlive();

      const t2 = performance.now();
      const checked = await checkProbes(prober!, step.probes, { retries: options.retries ?? 1 });
      const t3 = performance.now();
      const explainedStep = options.explain ? await explainProbes(api, watch, writtenHash, checked.outcomes) : { explained: 0, disagreements: [], skipped: [] };
      const t4 = performance.now();
      result.steps.push({
        step: i + 1,
        outcomes: checked.outcomes,
        mismatches: checked.mismatches,
        revision,
        agentErrors,
        strategies,
        explainDisagreements: explainedStep.disagreements,
        explained: explainedStep.explained,
        explainSkipped: explainedStep.skipped,
        ms: { change: t1 - t0, converge: t2 - t1, probe: t3 - t2, explain: t4 - t3 },
      });
      log(
        `step ${i + 1}: revision ${revision ?? '-'}, ${step.probes.length} probes, ${checked.mismatches.length} mismatches` +
          (options.explain ? `, ${explainedStep.explained} explained, ${explainedStep.disagreements.length} explain disagreements` : '') +
          ` (change ${(t1 - t0).toFixed(0)} ms, converge ${(t2 - t1).toFixed(0)} ms, probe ${(t3 - t2).toFixed(0)} ms` +
          (options.explain ? `, explain ${(t4 - t3).toFixed(0)} ms)` : ')'),
      );
      await options.afterStep?.(i + 1, {
        prober: prober!,
        topology: net,
        nodeAddress: uplink.nodeAddress,
        restartAgent: async () => {
          await agent!.stop();
          const restartedAt = new Date();
          agent = await launchAgent();
          await waitForAgentReport(api, watch, restartedAt);
          log(`step ${i + 1}: agent restarted`);
        },
        disconnectControlPlane: async () => {
          await listener?.close();
          log(`step ${i + 1}: control plane disconnected from the agent`);
        },
        applyPolicies: async (objects) => {
          for (const object of objects) await api.applyPolicy(clusterId, { ...refOf(object), manifest: object });
          const bundle = await waitForCurrentBundle(api, clusterId);
          if (!bundle) throw new RunError('setup_failed', 'no bundle after applying policies');
          return bundle.revision;
        },
        agentLog: async () => (await readFile(paths.log, 'utf8')).split('\n').filter((line) => line !== ''),
        startAgent: async () => {
          if (agent && !agent.exited()) throw new RunError('setup_failed', 'an agent is still running');
          agent = await launchAgent();
          log(`step ${i + 1}: agent started`);
        },
        killAgent: async () => {
          await agent!.kill();
          log(`step ${i + 1}: agent killed (SIGKILL)`);
        },
      });
    }
    result.ms.steps = performance.now() - stepsStarted.at;
  } catch (e) {
    result.error = toRunError(e);
    if (stepsStarted.at) result.ms.steps = performance.now() - stepsStarted.at;
    else result.ms.setup = performance.now() - started;
  } finally {
    const t = performance.now();
    if (!passed(result) && options.agentLogDir && logFile && file) {
      const name = file
        .split('/')
        .pop()!
        .replace(/\.json$/, '');
      await mkdir(options.agentLogDir, { recursive: true }).catch(() => {});
      await copyFile(logFile, join(options.agentLogDir, `${name}.agent.log`)).catch(() => {});
    }
    if (result.error && agent && !result.error.details?.log) {
      result.error = new RunError(result.error.code, result.error.message, { ...result.error.details, log: agent.logTail(40) });
    }
    await agent?.stop().catch(() => {});
    await listener?.close().catch(() => {});
    if (nodeName) {
      try {
        removePinsSync(nodeName);
      } catch {
        /* best effort; the next session's sweep retries */
      }
    }
    await prober?.close().catch(() => {});
    await topology?.destroy().catch(() => {}); // kills what is left in its netns, deletes them (and the uplink pair)
    await uplink?.remove().catch(() => {});
    if (runDir) await rm(runDir, { recursive: true, force: true }).catch(() => {});
    unregisterExitHook?.();
    result.ms.teardown = performance.now() - t;
    result.ms.total = performance.now() - started;
  }
  return result;
}
