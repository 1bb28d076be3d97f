// palisade-agent: `npx tsx agent/main.ts --config /etc/palisade/agent.yaml` (or `npm run agent -- ...`).
// Builds the parts from the configuration, starts the daemon, and stops it on SIGTERM/SIGINT
// without touching enforcement (the programs stay attached across a restart or an upgrade).
// First: it configures zod before any schema is built (see the file).
import './validation/acyclic-input.ts';
import { pathToFileURL } from 'node:url';
import { type Logger, pino } from 'pino';
import { type AgentConfig, DEFAULT_METRICS_HOST, loadAgentConfig } from './config.ts';
import { tokenProvider } from './credentials.ts';
import { AgentDaemon } from './daemon.ts';
import type { Dataplane, DataplaneFactory } from './datapath/dataplane.ts';
import { createDryRunDataplane } from './datapath/dry-run.ts';
import type { FlowRecord } from './datapath/flows.ts';
import type { StartupErrorCode } from './errors.ts';
import { type FlowShipper, startFlowShipper } from './flows/shipper.ts';
import { openFileInventorySource } from './inventory/file-source.ts';
import type { InventorySource } from './inventory/source.ts';
import { createMemoryReleaser } from './memory/release.ts';
import type { AgentMetrics } from './metrics/agent-metrics.ts';
import type { AgentMetricsServer } from './metrics/server.ts';
import { LastGoodStore } from './state/last-good.ts';
import { openPinnedTrustRoot, openTrustRootFile, type TrustRootSource } from './trust/trust-root.ts';
import { AGENT_VERSION } from './version.ts';

export type StartupError = { ok: false; code: StartupErrorCode; message: string };

async function openTrustRoot(config: AgentConfig, logger: Logger): Promise<{ ok: true; source: TrustRootSource } | StartupError> {
  if (config.trustRootFile !== undefined) return openTrustRootFile(config.trustRootFile, logger);
  return openPinnedTrustRoot({ stateDir: config.stateDir, controlPlaneUrl: config.controlPlaneUrl, logger });
}

async function openInventory(config: AgentConfig, logger: Logger): Promise<{ ok: true; source: InventorySource } | StartupError> {
  if (config.inventory.source === 'file') return { ok: true, source: await openFileInventorySource({ path: config.inventory.path, logger }) };
  // Imported only when used, so an agent reading a file inventory (the lab) does not load it.
  const [{ inClusterConnection, kubeconfigConnection }, { openKubernetesInventorySource }] = await Promise.all([
    import('./inventory/kube-api/connection.ts'),
    import('./inventory/kubernetes-source.ts'),
  ]);
  const connection = config.inventory.kubeconfig ? kubeconfigConnection(config.inventory.kubeconfig) : inClusterConnection();
  if (!connection.ok) return { ok: false, code: 'CONFIG_INVALID', message: `the Kubernetes API cannot be reached: ${connection.code}: ${connection.message}` };
  return { ok: true, source: await openKubernetesInventorySource({ connection: connection.connection, nodeName: config.nodeName, logger }) };
}

async function openDataplane(
  config: AgentConfig,
  logger: Logger,
  onFlow: (flow: FlowRecord) => void,
  metrics: AgentMetrics | undefined,
): Promise<{ ok: true; dataplane: Dataplane } | StartupError> {
  if (config.dataplane === 'dry-run') return { ok: true, dataplane: createDryRunDataplane(logger) };
  // Imported only when used, so the daemon, its tests and the dry-run mode do not pull in libbpf.
  let factory: DataplaneFactory;
  try {
    factory = (await import('./datapath/ebpf-dataplane.ts')).createEbpfDataplane;
  } catch (error) {
    return { ok: false, code: 'DATAPLANE_UNAVAILABLE', message: `the eBPF dataplane cannot be loaded: ${(error as Error).message}` };
  }
  const context = {
    nodeName: config.nodeName,
    stateDir: config.stateDir,
    logger,
    onFlow,
    ...(config.bpffsRoot && { bpffsRoot: config.bpffsRoot }),
    ...(config.datapathStrategy && { strategy: config.datapathStrategy }),
    ...(metrics && { onPhase: metrics.observePhase }),
  };
  return { ok: true, dataplane: await factory(context) };
}

export interface RunOverrides {
  /** A dataplane built by the caller instead of the configured one (tests plug a recording one in here). */
  dataplane?: Dataplane;
}

export interface RunningAgent {
  ok: true;
  daemon: AgentDaemon;
  flows: FlowShipper;
  /** GET /metrics, when `metricsPort` is set. */
  metricsServer: AgentMetricsServer | undefined;
}

// What only an agent asked for metrics or the explain endpoint uses is imported when asked for:
// prom-client and node:http would otherwise load before the first apply for every agent (issue 13
// item 5: process start to the first bundle applied).
const importMetrics = () => Promise.all([import('./metrics/agent-metrics.ts'), import('./metrics/server.ts')]);
const importExplainServer = () => import('./explain/server.ts');

/** Builds and starts the daemon. Errors that make starting pointless come back as values. */
export async function runAgent(config: AgentConfig, logger: Logger, overrides: RunOverrides = {}): Promise<RunningAgent | StartupError> {
  const metricsModules = config.metricsPort === undefined ? undefined : await importMetrics();
  const metrics = metricsModules?.[0].createAgentMetrics();
  const trustRoot = await openTrustRoot(config, logger.child({ component: 'trust-root' }));
  if (!trustRoot.ok) return trustRoot;
  const flows = startFlowShipper({
    controlPlaneUrl: config.controlPlaneUrl,
    token: tokenProvider(config),
    nodeName: config.nodeName,
    logger: logger.child({ component: 'flows' }),
  });
  const dataplane = overrides.dataplane
    ? { ok: true as const, dataplane: overrides.dataplane }
    : await openDataplane(config, logger.child({ component: 'dataplane' }), flows.onFlow, metrics);
  if (!dataplane.ok) {
    await flows.stop();
    return dataplane;
  }
  const inventory = await openInventory(config, logger.child({ component: 'inventory' }));
  if (!inventory.ok) {
    await flows.stop();
    return inventory;
  }
  const daemon = new AgentDaemon({
    config,
    token: tokenProvider(config),
    trustRoot: trustRoot.source,
    inventory: inventory.source,
    dataplane: dataplane.dataplane,
    lastGood: new LastGoodStore(config.stateDir),
    logger,
    memory: createMemoryReleaser({ logger: logger.child({ component: 'memory' }) }),
    ...(metrics && { metrics }),
  });
  await daemon.start();
  let metricsServer: AgentMetricsServer | undefined;
  if (metrics && metricsModules && config.metricsPort !== undefined) {
    const [, { startAgentMetricsServer }] = metricsModules;
    const { dataplane: enforcing } = dataplane;
    metrics.watch({ revisions: () => daemon.revisionView(), ...(enforcing.observe && { observe: () => enforcing.observe!() }) });
    metricsServer = await startAgentMetricsServer(metrics, {
      host: config.metricsHost ?? DEFAULT_METRICS_HOST,
      port: config.metricsPort,
      logger: logger.child({ component: 'metrics' }),
    });
    logger.info({ url: metricsServer.url }, 'metrics listening');
  }
  return { ok: true, daemon, flows, metricsServer };
}

async function main(): Promise<number> {
  const loaded = await loadAgentConfig({ argv: process.argv.slice(2) }); // the environment is config.ts's to read
  if (!loaded.ok) {
    process.stderr.write(`palisade-agent: ${loaded.code}: ${loaded.message}\n`);
    return 2;
  }
  const { config } = loaded;
  const logger = pino({ level: config.logLevel, base: { node: config.nodeName, cluster: config.clusterId } });
  logger.info(
    { version: AGENT_VERSION, controlPlane: config.controlPlaneUrl, inventory: config.inventory.source, dataplane: config.dataplane },
    'palisade agent starting',
  );
  const started = await runAgent(config, logger);
  if (!started.ok) {
    logger.fatal({ code: started.code, reason: started.message }, 'agent cannot start');
    return 1;
  }
  const { daemon, flows, metricsServer } = started;
  // Loopback only: it reveals the node's policy and pods to whoever can reach it.
  const explainServer =
    config.explainPort === undefined
      ? undefined
      : await (await importExplainServer()).startLocalExplainServer({ port: config.explainPort, explain: (query) => daemon.explain(query) });
  if (explainServer) logger.info({ url: `${explainServer.url}/explain` }, 'local explain endpoint listening');
  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal; exiting now');
        process.exit(1);
      }
      stopping = true;
      logger.info({ signal }, 'stopping; enforcement stays in place');
      void daemon
        .stop()
        .then(() => flows.stop())
        .then(() => explainServer?.close())
        .then(() => metricsServer?.close())
        .finally(resolve);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`palisade-agent: unexpected failure: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
