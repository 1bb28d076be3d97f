// The inventory from the Kubernetes API: list+watch of every pod, namespace, service account, node,
// Service and EndpointSlice (peers of a rule can run on any node, so the whole cluster is needed; only this
// node's pods get a host interface). Service accounts give each endpoint its account's labels
// (policies select by them); nodes give rules that name nodes as peers their addresses;
// Services and EndpointSlices give rules that match a Service its ClusterIPs and its endpoints'
// addresses, with their ports (./service-endpoints.ts).
// Built on our own ListWatch (./kube-api/), which lists, then watches from the list's
// resourceVersion, re-lists after 410 Gone, and re-watches when a watch ends or breaks. What it does
// not do is come back after an error (a failed list, a refused watch): that is retried here with
// backoff, keeping the last good inventory meanwhile.
//
// Not @kubernetes/client-node at run time: importing it alone costs the agent some 77 MiB of
// resident memory. Its object types are still used here; they are erased at build time.
import type { V1EndpointSlice, V1Namespace, V1Node, V1Pod, V1Service, V1ServiceAccount } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { endpointKey, endpointSchema, type InventoryInput, inventorySchema } from '../../policy/inventory.ts';
import { Backoff, type BackoffPolicy } from '../bundle/backoff.ts';
import { calicoHostInterface, type HostInterfaceNamer } from './host-interface.ts';
import type { KubeConnection } from './kube-api/connection.ts';
import { type KubeObject, ListWatch } from './kube-api/list-watch.ts';
import { KubeApi } from './kube-api/request.ts';
import { namespaceEntry, nodeEntry, podEndpoint, serviceAccountIndex, serviceAccountKey } from './pod-endpoint.ts';
import { serviceEntries } from './service-endpoints.ts';
import { debounce, type InventorySource, InventoryStateHolder } from './source.ts';

export interface KubernetesSourceOptions {
  /** The API server and credentials (kube-api/connection.ts: in-cluster or a kubeconfig). */
  connection: KubeConnection;
  /** This node: its pods get a host interface, the others are peers only. */
  nodeName: string;
  logger: Logger;
  hostInterface?: HostInterfaceNamer;
  /** Pod churn comes in bursts (a rollout); one rebuild per burst. */
  debounceMs?: number;
  retry?: BackoffPolicy;
  /** How long opening waits for the first full list before returning without an inventory. */
  firstListTimeoutMs?: number;
}

export async function openKubernetesInventorySource(options: KubernetesSourceOptions): Promise<InventorySource> {
  const { nodeName, logger } = options;
  const namer = options.hostInterface ?? calicoHostInterface;
  const api = new KubeApi(options.connection);
  // a broken watch stream is re-watched with the same backoff as a failed list
  const watchOptions = options.retry ? { retry: options.retry } : {};
  const holder = new InventoryStateHolder();
  let closed = false;
  const skipped = new Set<string>();

  // The first inventory waits for all six lists: one without service accounts, nodes, Services or
  // EndpointSlices would leave policies selecting by them matching nothing until the lists came in.
  const listed = { pods: false, namespaces: false, serviceAccounts: false, nodes: false, services: false, endpointSlices: false };
  const allListed = () => Object.values(listed).every(Boolean);
  /** A resource's list and watch; its first list marks it listed and schedules a rebuild. */
  const informer = <T extends KubeObject>(path: string, resource: keyof typeof listed) =>
    new ListWatch<T>(
      path,
      api,
      async () => {
        const list = await api.list<T>(path);
        listed[resource] = true;
        scheduled();
        return list;
      },
      watchOptions,
    );
  const pods = informer<V1Pod>('/api/v1/pods', 'pods');
  const namespaces = informer<V1Namespace>('/api/v1/namespaces', 'namespaces');
  const serviceAccounts = informer<V1ServiceAccount>('/api/v1/serviceaccounts', 'serviceAccounts');
  const nodes = informer<V1Node>('/api/v1/nodes', 'nodes');
  const services = informer<V1Service>('/api/v1/services', 'services');
  const endpointSlices = informer<V1EndpointSlice>('/apis/discovery.k8s.io/v1/endpointslices', 'endpointSlices');

  function rebuild(): void {
    if (closed || !allListed()) return;
    const namespaceEntries = namespaces
      .list()
      .map(namespaceEntry)
      .filter((entry) => entry !== undefined)
      .sort((a, b) => compare(a.name, b.name));
    const known = new Set(namespaceEntries.map((entry) => entry.name));
    const accounts = serviceAccountIndex(serviceAccounts.list());
    const accountLabels = (namespace: string, name: string) => accounts.get(serviceAccountKey(namespace, name));
    const endpoints: InventoryInput['endpoints'] = [];
    for (const pod of pods.list()) {
      const entry = podEndpoint(pod, nodeName, namer, accountLabels);
      // A pod whose namespace the namespace watch has not delivered yet waits for it (no labels to match on).
      if (!entry || !known.has(entry.namespace)) continue;
      const checked = endpointSchema.safeParse(entry);
      if (!checked.success) {
        const key = endpointKey(entry);
        if (!skipped.has(key)) logger.warn({ endpoint: key, reason: checked.error.issues[0]?.message }, 'pod left out of the inventory');
        skipped.add(key);
        continue;
      }
      endpoints.push(entry);
    }
    endpoints.sort((a, b) => compare(endpointKey(a), endpointKey(b)));
    const nodeEntries = nodes
      .list()
      .map(nodeEntry)
      .filter((entry) => entry !== undefined)
      .sort((a, b) => compare(a.name, b.name));
    const parsed = inventorySchema.safeParse({
      namespaces: namespaceEntries,
      endpoints,
      nodes: nodeEntries,
      services: serviceEntries(services.list(), endpointSlices.list()),
    });
    if (parsed.success) holder.accept(parsed.data);
    else holder.fail({ code: 'INVENTORY_INVALID', message: parsed.error.issues[0]?.message ?? 'invalid inventory' });
  }
  const scheduled = debounce(rebuild, options.debounceMs ?? 100);

  type Retry = { backoff: Backoff; errors: number; timer?: NodeJS.Timeout };
  const retries: Retry[] = [];

  async function startOne<T extends KubeObject>(informer: ListWatch<T>, retry: Retry, what: string): Promise<void> {
    const errorsBefore = retry.errors;
    await informer.start();
    // start() returns once the watch is connected or failed; no error in between means it is up.
    if (retry.errors === errorsBefore) {
      retry.backoff.reset();
      scheduled();
      logger.debug({ what }, 'kubernetes watch connected');
    }
  }

  function wire<T extends KubeObject>(informer: ListWatch<T>, what: string): Promise<void> {
    const retry: Retry = { backoff: new Backoff(options.retry ?? { initialMs: 1_000, maxMs: 30_000 }), errors: 0 };
    retries.push(retry);
    informer.on('add', scheduled);
    informer.on('update', scheduled);
    informer.on('delete', scheduled);
    informer.on('error', (error?: unknown) => {
      retry.errors += 1;
      if (closed) return;
      holder.fail({ code: 'INVENTORY_UNAVAILABLE', message: `${what} list/watch failed: ${describe(error)}` });
      const delay = retry.backoff.next();
      logger.warn({ what, reason: describe(error), retryInMs: delay }, 'kubernetes list/watch failed; keeping the last inventory');
      clearTimeout(retry.timer);
      retry.timer = setTimeout(() => void startOne(informer, retry, what).catch(() => undefined), delay);
    });
    return startOne(informer, retry, what);
  }

  const firstList = Promise.all([
    wire(pods, 'pods'),
    wire(namespaces, 'namespaces'),
    wire(serviceAccounts, 'serviceaccounts'),
    wire(nodes, 'nodes'),
    wire(services, 'services'),
    wire(endpointSlices, 'endpointslices'),
  ]);
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, options.firstListTimeoutMs ?? 30_000).unref());
  await Promise.race([firstList.catch(() => undefined), timeout]);
  if (allListed()) {
    scheduled.cancel();
    rebuild();
  } else if (!holder.current().error) {
    holder.fail({
      code: 'INVENTORY_UNAVAILABLE',
      message: 'the first list of pods, namespaces, service accounts, nodes, Services and EndpointSlices has not completed',
    });
  }

  return {
    current: () => holder.current(),
    onChange: (listener) => holder.onChange(listener),
    async close() {
      closed = true;
      scheduled.cancel();
      for (const retry of retries) clearTimeout(retry.timer);
      await Promise.all([pods.stop(), namespaces.stop(), serviceAccounts.stop(), nodes.stop(), services.stop(), endpointSlices.stop()]);
      api.close();
    },
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function describe(error: unknown): string {
  if (error === undefined || error === null) return 'connection closed';
  const status = (error as { statusCode?: number; code?: number }).statusCode ?? (error as { code?: unknown }).code;
  const message = (error as Error).message ?? String(error);
  return typeof status === 'number' ? `${status} ${message}` : message;
}
