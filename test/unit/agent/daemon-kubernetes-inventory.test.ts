// The Kubernetes inventory source, driven through its own list/watch client (agent/inventory/kube-api)
// against a STAND-IN API server (node:http). The stand-in is not Kubernetes: it speaks just enough of the
// list/watch wire format for pods, namespaces, service accounts, nodes, Services and EndpointSlices — list responses carrying metadata.resourceVersion;
// `?watch=true&resourceVersion=N` answered with a chunked stream of newline-delimited JSON events
// (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR with a 410 Status), replaying events newer than N — so
// the client's real list/watch/re-list logic runs against it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeConnection } from '../../../agent/inventory/kube-api/connection.ts';
import { openKubernetesInventorySource } from '../../../agent/inventory/kubernetes-source.ts';
import type { InventorySource } from '../../../agent/inventory/source.ts';
import { silentLogger } from './daemon-fixtures.ts';

type Resource = 'pods' | 'namespaces' | 'serviceaccounts' | 'nodes' | 'services' | 'endpointslices';
const KINDS: Record<Resource, string> = {
  pods: 'Pod',
  namespaces: 'Namespace',
  serviceaccounts: 'ServiceAccount',
  nodes: 'Node',
  services: 'Service',
  endpointslices: 'EndpointSlice',
};
const API_VERSIONS: Record<Resource, string> = {
  pods: 'v1',
  namespaces: 'v1',
  serviceaccounts: 'v1',
  nodes: 'v1',
  services: 'v1',
  endpointslices: 'discovery.k8s.io/v1',
};
const pathOf = (resource: Resource) => (API_VERSIONS[resource] === 'v1' ? `/api/v1/${resource}` : `/apis/${API_VERSIONS[resource]}/${resource}`);
const PATHS = new Map<string, Resource>((Object.keys(KINDS) as Resource[]).map((resource) => [pathOf(resource), resource]));
type K8sObject = {
  kind?: string;
  apiVersion?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string> };
  [field: string]: unknown;
};
interface WatchEvent {
  resource: Resource;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: K8sObject;
  rv: number;
}

const TOKEN = 'stand-in-token';

class StandInApiServer {
  private rv = 1000;
  private readonly store: Record<Resource, Map<string, K8sObject>> = {
    pods: new Map(),
    namespaces: new Map(),
    serviceaccounts: new Map(),
    nodes: new Map(),
    services: new Map(),
    endpointslices: new Map(),
  };
  private readonly log: WatchEvent[] = [];
  private readonly watchers = new Set<{ resource: Resource; res: ServerResponse }>();
  private server!: Server;
  readonly requests: string[] = [];
  /** Answer this many list requests with 500 before serving them. */
  failLists = 0;
  /** Answer list requests for these resources with 403 (as without RBAC for them). */
  readonly forbidden = new Set<Resource>();
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  put(resource: Resource, object: K8sObject): void {
    const key = keyOf(object);
    const type = this.store[resource].has(key) ? 'MODIFIED' : 'ADDED';
    this.rv += 1;
    const stored = { ...object, kind: KINDS[resource], apiVersion: API_VERSIONS[resource], metadata: { ...object.metadata, resourceVersion: String(this.rv) } };
    this.store[resource].set(key, stored);
    this.emit({ resource, type, object: stored, rv: this.rv });
  }

  remove(resource: Resource, key: string, options: { silently?: boolean } = {}): void {
    const object = this.store[resource].get(key);
    if (!object) return;
    this.store[resource].delete(key);
    this.rv += 1;
    if (!options.silently)
      this.emit({ resource, type: 'DELETED', object: { ...object, metadata: { ...object.metadata, resourceVersion: String(this.rv) } }, rv: this.rv });
  }

  bookmark(resource: Resource): string {
    this.rv += 1;
    this.send(resource, {
      type: 'BOOKMARK',
      object: { kind: KINDS[resource], apiVersion: API_VERSIONS[resource], metadata: { resourceVersion: String(this.rv) } },
    });
    return String(this.rv);
  }

  /** The API server's answer when a watch's resourceVersion has been compacted away. */
  expire(resource: Resource): void {
    this.log.length = 0;
    this.send(resource, {
      type: 'ERROR',
      object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version', reason: 'Expired', code: 410 },
    });
    this.endWatches(resource);
  }

  /** Ends watch streams cleanly, as the API server does when a watch times out. */
  endWatches(resource: Resource): void {
    for (const watcher of [...this.watchers]) if (watcher.resource === resource) watcher.res.end();
  }

  /** Drops watch connections abruptly (a network failure). */
  breakWatches(resource: Resource): void {
    for (const watcher of [...this.watchers]) if (watcher.resource === resource) watcher.res.socket?.destroy();
  }

  count(prefix: string): number {
    return this.requests.filter((request) => request.startsWith(prefix)).length;
  }

  private emit(event: WatchEvent): void {
    this.log.push(event);
    this.send(event.resource, { type: event.type, object: event.object });
  }

  private send(resource: Resource, event: unknown): void {
    for (const watcher of this.watchers) if (watcher.resource === resource) watcher.res.write(`${JSON.stringify(event)}\n`);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.requests.push(req.url ?? '');
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return void res.writeHead(401).end();
    const url = new URL(req.url ?? '/', this.url);
    const resource = PATHS.get(url.pathname);
    if (!resource) return void res.writeHead(404).end();
    if (url.searchParams.get('watch') === 'true') {
      const from = Number(url.searchParams.get('resourceVersion') ?? '0');
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      res.flushHeaders();
      const watcher = { resource, res };
      this.watchers.add(watcher);
      res.on('close', () => this.watchers.delete(watcher));
      for (const event of this.log)
        if (event.resource === resource && event.rv > from) res.write(`${JSON.stringify({ type: event.type, object: event.object })}\n`);
      return;
    }
    if (this.forbidden.has(resource)) {
      return void res
        .writeHead(403, { 'content-type': 'application/json' })
        .end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403 }));
    }
    if (this.failLists > 0) {
      this.failLists -= 1;
      return void res
        .writeHead(500, { 'content-type': 'application/json' })
        .end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 500 }));
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        kind: `${KINDS[resource]}List`,
        apiVersion: API_VERSIONS[resource],
        metadata: { resourceVersion: String(this.rv) },
        items: [...this.store[resource].values()],
      }),
    );
  }
}

function keyOf(object: K8sObject): string {
  return object.metadata.namespace ? `${object.metadata.namespace}/${object.metadata.name}` : object.metadata.name;
}

function namespace(name: string, labels: Record<string, string> = {}): K8sObject {
  return { metadata: { name, labels } };
}

function serviceAccount(ns: string, name: string, labels: Record<string, string> = {}): K8sObject {
  return { metadata: { name, namespace: ns, labels } };
}

function node(name: string, labels: Record<string, string>, addresses: { type: string; address: string }[]): K8sObject {
  return { metadata: { name, labels }, status: { addresses } };
}

/** A core/v1 Service with its spec as the API server returns it. */
function service(ns: string, name: string, spec: Record<string, unknown>): K8sObject {
  return { metadata: { name, namespace: ns }, spec };
}

/** An EndpointSlice of Service `service` (by the kubernetes.io/service-name label, as the controller sets it). */
function endpointSlice(
  ns: string,
  name: string,
  service: string | undefined,
  options: { addressType?: string; addresses?: string[][]; ports?: { name?: string; port?: number; protocol?: string }[] } = {},
): K8sObject {
  return {
    metadata: { name, namespace: ns, labels: service === undefined ? {} : { 'kubernetes.io/service-name': service } },
    addressType: options.addressType ?? 'IPv4',
    endpoints: (options.addresses ?? []).map((addresses, i) => ({ addresses, conditions: { ready: i % 2 === 0 } })),
    ports: options.ports ?? [],
  };
}

function pod(
  ns: string,
  name: string,
  options: {
    node?: string;
    ips?: string[];
    labels?: Record<string, string>;
    hostNetwork?: boolean;
    phase?: string;
    ports?: { name?: string; containerPort: number; protocol?: string }[];
    serviceAccountName?: string;
  } = {},
): K8sObject {
  const ips = options.ips ?? [];
  return {
    metadata: { name, namespace: ns, labels: options.labels ?? { app: name } },
    spec: {
      nodeName: options.node ?? 'node-a',
      ...(options.serviceAccountName !== undefined ? { serviceAccountName: options.serviceAccountName } : {}),
      hostNetwork: options.hostNetwork ?? false,
      containers: [{ name: 'main', image: 'example', ports: options.ports ?? [] }],
    },
    status: { phase: options.phase ?? 'Running', podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) },
  };
}

let api: StandInApiServer;
let source: InventorySource | undefined;

beforeEach(async () => {
  api = new StandInApiServer();
  await api.start();
  api.put('namespaces', namespace('shop', { team: 'a' }));
  api.put('namespaces', namespace('kube-system'));
});
afterEach(async () => {
  await source?.close();
  source = undefined;
  await api.stop();
});

function connection(): KubeConnection {
  return { server: api.url, tls: { rejectUnauthorized: false }, token: () => TOKEN };
}

/** The resourceVersions the watches of `path` started from, in order. */
function watchedFrom(path: string): string[] {
  return api.requests
    .map((request) => new URL(request, api.url))
    .filter((url) => url.pathname === path && url.searchParams.get('watch') === 'true')
    .map((url) => url.searchParams.get('resourceVersion') ?? '');
}

async function open(extra: Partial<Parameters<typeof openKubernetesInventorySource>[0]> = {}) {
  source = await openKubernetesInventorySource({
    connection: connection(),
    nodeName: 'node-a',
    logger: silentLogger(),
    debounceMs: 10,
    retry: { initialMs: 20, maxMs: 100 },
    firstListTimeoutMs: 5_000,
    ...extra,
  });
  return source;
}

const endpointNames = (inventory: InventorySource) => inventory.current().inventory?.endpoints.map((e) => `${e.namespace}/${e.name}`);

describe('the Kubernetes inventory source (against a stand-in API server)', () => {
  it('lists pods and namespaces into endpoints: labels, IPs by family, named ports, node, host interface', async () => {
    api.put(
      'pods',
      pod('shop', 'web', {
        ips: ['198.18.0.10', 'fd00::a'],
        ports: [
          { name: 'http', containerPort: 8080 },
          { name: 'dns', containerPort: 53, protocol: 'UDP' },
        ],
      }),
    );
    api.put('pods', pod('shop', 'db', { node: 'node-b', ips: ['198.18.1.20'] }));
    api.put('pods', pod('kube-system', 'kube-proxy', { hostNetwork: true, ips: ['10.0.0.1'] }));
    api.put('pods', pod('shop', 'migrate', { phase: 'Succeeded', ips: ['198.18.0.99'] }));
    const inventory = await open();
    const state = inventory.current();
    expect(state.error).toBeUndefined();
    expect(state.inventory?.namespaces).toEqual([
      { name: 'kube-system', labels: { 'kubernetes.io/metadata.name': 'kube-system' } },
      { name: 'shop', labels: { team: 'a', 'kubernetes.io/metadata.name': 'shop' } },
    ]);
    expect(state.inventory?.endpoints).toEqual([
      {
        namespace: 'shop',
        name: 'db',
        labels: { app: 'db' },
        ipv4: ['198.18.1.20'],
        ipv6: [],
        ports: [],
        node: 'node-b',
        serviceAccount: { name: 'default', labels: {} },
      },
      {
        namespace: 'shop',
        name: 'web',
        labels: { app: 'web' },
        ipv4: ['198.18.0.10'],
        ipv6: ['fd00::a'],
        ports: [
          { name: 'http', port: 8080, protocol: 'TCP' },
          { name: 'dns', port: 53, protocol: 'UDP' },
        ],
        node: 'node-a',
        // Calico's name: "cali" + sha1("shop.web")[:11], computed here with sha1sum.
        hostInterface: 'cali551b05c3e54',
        serviceAccount: { name: 'default', labels: {} },
      },
    ]);
    expect(state.inventory?.nodes).toEqual([]);
  });

  it('gives endpoints their service account and its labels, and follows label changes of the account', async () => {
    api.put('serviceaccounts', serviceAccount('shop', 'default'));
    api.put('serviceaccounts', serviceAccount('shop', 'web-sa', { role: 'frontend' }));
    api.put('serviceaccounts', serviceAccount('kube-system', 'web-sa', { role: 'system' })); // same name, other namespace
    api.put('pods', pod('shop', 'web', { ips: ['198.18.0.10'], serviceAccountName: 'web-sa' }));
    api.put('pods', pod('shop', 'db', { ips: ['198.18.0.11'] })); // no serviceAccountName: "default"
    const inventory = await open();
    const accounts = () => Object.fromEntries((inventory.current().inventory?.endpoints ?? []).map((e) => [e.name, e.serviceAccount]));
    expect(accounts()).toEqual({ web: { name: 'web-sa', labels: { role: 'frontend' } }, db: { name: 'default', labels: {} } });

    api.put('serviceaccounts', serviceAccount('shop', 'web-sa', { role: 'frontend', tier: 'edge' }));
    await expect.poll(() => accounts().web).toEqual({ name: 'web-sa', labels: { role: 'frontend', tier: 'edge' } });
    // A pod whose account the watch has not delivered yet gets the name with no labels, then the labels.
    api.put('pods', pod('shop', 'api', { ips: ['198.18.0.12'], serviceAccountName: 'api-sa' }));
    await expect.poll(() => accounts().api).toEqual({ name: 'api-sa', labels: {} });
    api.put('serviceaccounts', serviceAccount('shop', 'api-sa', { role: 'backend' }));
    await expect.poll(() => accounts().api).toEqual({ name: 'api-sa', labels: { role: 'backend' } });
    api.remove('serviceaccounts', 'shop/web-sa');
    await expect.poll(() => accounts().web).toEqual({ name: 'web-sa', labels: {} });
    expect(api.requests.some((r) => r.startsWith('/api/v1/serviceaccounts?watch=true'))).toBe(true);
  });

  it('lists nodes with their InternalIP and ExternalIP addresses, and follows additions and deletions', async () => {
    api.put(
      'nodes',
      node('node-a', { zone: 'z1' }, [
        { type: 'Hostname', address: 'node-a' },
        { type: 'InternalIP', address: '10.0.0.1' },
        { type: 'InternalIP', address: 'fd00::1' },
        { type: 'ExternalIP', address: '203.0.113.7' },
        { type: 'InternalDNS', address: 'node-a.internal' },
        { type: 'ExternalIP', address: 'not-an-ip' },
      ]),
    );
    const inventory = await open();
    expect(inventory.current().inventory?.nodes).toEqual([{ name: 'node-a', labels: { zone: 'z1' }, addresses: ['10.0.0.1', 'fd00::1', '203.0.113.7'] }]);

    api.put('nodes', node('node-b', { zone: 'z2' }, [{ type: 'InternalIP', address: '10.0.0.2' }]));
    await expect.poll(() => inventory.current().inventory?.nodes?.map((n) => n.name)).toEqual(['node-a', 'node-b']);
    api.put('nodes', node('node-b', { zone: 'z2' }, [{ type: 'InternalIP', address: '10.0.0.3' }]));
    await expect.poll(() => inventory.current().inventory?.nodes?.find((n) => n.name === 'node-b')?.addresses).toEqual(['10.0.0.3']);
    api.remove('nodes', 'node-a');
    await expect.poll(() => inventory.current().inventory?.nodes).toEqual([{ name: 'node-b', labels: { zone: 'z2' }, addresses: ['10.0.0.3'] }]);
  });

  it('lists EndpointSlices into Services (addresses and ports per slice, every endpoint whatever its readiness) and follows endpoint changes', async () => {
    api.put(
      'endpointslices',
      endpointSlice('kube-system', 'kube-dns-v4', 'kube-dns', {
        addresses: [['198.18.0.53'], ['198.18.0.54']],
        ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53 }, { name: 'unset' }],
      }),
    );
    api.put(
      'endpointslices',
      endpointSlice('kube-system', 'kube-dns-v6', 'kube-dns', { addressType: 'IPv6', addresses: [['fd00::53']], ports: [{ port: 53, protocol: 'UDP' }] }),
    );
    api.put('endpointslices', endpointSlice('shop', 'external', 'mirror', { addressType: 'FQDN', addresses: [['db.example.com']], ports: [{ port: 5432 }] }));
    api.put('endpointslices', endpointSlice('shop', 'orphan', undefined, { addresses: [['198.18.0.9']], ports: [{ port: 80 }] }));
    const inventory = await open();
    const services = () => inventory.current().inventory?.services;
    expect(services()).toEqual([
      {
        namespace: 'kube-system',
        name: 'kube-dns',
        clusterIPs: [],
        ports: [],
        slices: [
          {
            addresses: ['198.18.0.53', '198.18.0.54'],
            ports: [
              { name: 'dns', port: 53, protocol: 'UDP' },
              { name: 'dns-tcp', port: 53, protocol: 'TCP' },
            ],
          },
          { addresses: ['fd00::53'], ports: [{ port: 53, protocol: 'UDP' }] },
        ],
      },
      // An FQDN slice names hosts, not addresses: its Service is known, with no address.
      { namespace: 'shop', name: 'mirror', clusterIPs: [], ports: [], slices: [{ addresses: [], ports: [{ port: 5432, protocol: 'TCP' }] }] },
    ]);

    api.put(
      'endpointslices',
      endpointSlice('kube-system', 'kube-dns-v4', 'kube-dns', { addresses: [['198.18.0.55']], ports: [{ port: 53, protocol: 'UDP' }] }),
    );
    await expect.poll(() => services()?.[0]?.slices[0]).toEqual({ addresses: ['198.18.0.55'], ports: [{ port: 53, protocol: 'UDP' }] });
    api.remove('endpointslices', 'kube-system/kube-dns-v6');
    await expect.poll(() => services()?.[0]?.slices.length).toBe(1);
    api.remove('endpointslices', 'kube-system/kube-dns-v4');
    await expect.poll(() => services()?.map((s) => s.name)).toEqual(['mirror']);
    expect(api.requests.some((r) => r.startsWith('/apis/discovery.k8s.io/v1/endpointslices?watch=true'))).toBe(true);
  });

  it("lists Services' ClusterIPs (v4 and v6, none when headless) and own ports beside their EndpointSlices, and follows them", async () => {
    api.put(
      'services',
      service('kube-system', 'kube-dns', {
        clusterIP: '10.96.0.10',
        clusterIPs: ['10.96.0.10', 'fd00:96::a'],
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'metrics', port: 9153, targetPort: 'metrics' },
        ],
      }),
    );
    api.put('services', service('shop', 'db', { clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 5432, protocol: 'TCP' }] }));
    api.put(
      'endpointslices',
      endpointSlice('kube-system', 'kube-dns-v4', 'kube-dns', { addresses: [['198.18.0.53']], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] }),
    );
    const inventory = await open();
    const services = () => inventory.current().inventory?.services;
    expect(services()).toEqual([
      {
        namespace: 'kube-system',
        name: 'kube-dns',
        clusterIPs: ['10.96.0.10', 'fd00:96::a'],
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'metrics', port: 9153, protocol: 'TCP' },
        ],
        slices: [{ addresses: ['198.18.0.53'], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] }],
      },
      // Headless: no ClusterIP to match, and no slices yet.
      { namespace: 'shop', name: 'db', clusterIPs: [], ports: [{ port: 5432, protocol: 'TCP' }], slices: [] },
    ]);

    api.put('services', service('kube-system', 'kube-dns', { clusterIP: '10.96.0.11', ports: [{ port: 53, protocol: 'UDP' }] }));
    await expect.poll(() => services()?.[0]?.clusterIPs).toEqual(['10.96.0.11']);
    api.remove('services', 'kube-system/kube-dns');
    // The endpoints still count while their slice lasts; the ClusterIP goes with the Service.
    await expect.poll(() => services()?.[0]).toMatchObject({ name: 'kube-dns', clusterIPs: [], ports: [], slices: [{ addresses: ['198.18.0.53'] }] });
    expect(api.requests.some((r) => r.startsWith('/api/v1/services?watch=true'))).toBe(true);
  });

  it.each(['serviceaccounts', 'nodes', 'services', 'endpointslices'] as const)(
    'waits for the first list of %s before the first inventory',
    async (resource) => {
      api.put('pods', pod('shop', 'web', { ips: ['198.18.0.10'] }));
      api.forbidden.add(resource);
      const inventory = await open({ firstListTimeoutMs: 200, retry: { initialMs: 20, maxMs: 40 } });
      expect(inventory.current()).toMatchObject({ inventory: undefined, error: { code: 'INVENTORY_UNAVAILABLE' } });
      expect(inventory.current().error?.message).toContain(`${resource} list/watch failed`);
      api.forbidden.delete(resource);
      await expect.poll(() => endpointNames(inventory), { timeout: 5_000 }).toEqual(['shop/web']);
      expect(inventory.current().inventory?.nodes).toEqual([]);
    },
  );

  it('watches from the resourceVersion of its list and follows ADDED, MODIFIED and DELETED', async () => {
    api.put('pods', pod('shop', 'web', { ips: ['198.18.0.10'] }));
    const listedAt = api.resourceVersion;
    const inventory = await open();
    expect(watchedFrom('/api/v1/pods')).toContain(listedAt);

    api.put('pods', pod('shop', 'db', { ips: ['198.18.0.11'] }));
    await expect.poll(() => endpointNames(inventory)).toEqual(['shop/db', 'shop/web']);
    api.put('pods', pod('shop', 'db', { ips: ['198.18.0.11'], labels: { app: 'db', tier: 'data' } }));
    await expect.poll(() => inventory.current().inventory?.endpoints[0]?.labels).toEqual({ app: 'db', tier: 'data' });
    api.remove('pods', 'shop/web');
    await expect.poll(() => endpointNames(inventory)).toEqual(['shop/db']);
    api.put('namespaces', namespace('shop', { team: 'b' }));
    await expect
      .poll(() => inventory.current().inventory?.namespaces.find((ns) => ns.name === 'shop')?.labels)
      .toEqual({ team: 'b', 'kubernetes.io/metadata.name': 'shop' });
  });

  it('resumes a closed watch from the last BOOKMARK without listing again', async () => {
    api.put('pods', pod('shop', 'web', { ips: ['198.18.0.10'] }));
    await open();
    const lists = api.count('/api/v1/pods?') - api.count('/api/v1/pods?watch');
    const bookmark = api.bookmark('pods');
    await new Promise((resolve) => setTimeout(resolve, 50));
    api.endWatches('pods');
    await expect.poll(() => watchedFrom('/api/v1/pods')).toContain(bookmark);
    expect(api.count('/api/v1/pods?') - api.count('/api/v1/pods?watch')).toBe(lists);
  });

  it('lists again after 410 Gone, and drops what disappeared meanwhile', async () => {
    api.put('pods', pod('shop', 'web', { ips: ['198.18.0.10'] }));
    api.put('pods', pod('shop', 'db', { ips: ['198.18.0.11'] }));
    const inventory = await open();
    expect(endpointNames(inventory)).toEqual(['shop/db', 'shop/web']);
    const listsBefore = api.requests.filter((r) => r.startsWith('/api/v1/pods') && !r.includes('watch=true')).length;
    api.remove('pods', 'shop/db', { silently: true }); // an event the watch never delivers
    api.expire('pods');
    await expect.poll(() => endpointNames(inventory)).toEqual(['shop/web']);
    expect(api.requests.filter((r) => r.startsWith('/api/v1/pods') && !r.includes('watch=true')).length).toBe(listsBefore + 1);
  });

  it('retries a failing API server, without an inventory until the first full list', async () => {
    api.failLists = Number.POSITIVE_INFINITY;
    const inventory = await open({ firstListTimeoutMs: 200, retry: { initialMs: 20, maxMs: 40 } });
    expect(inventory.current()).toMatchObject({ inventory: undefined, error: { code: 'INVENTORY_UNAVAILABLE' } });
    expect(inventory.current().error?.message).toMatch(/list\/watch failed/);
    await expect.poll(() => api.count('/api/v1/pods')).toBeGreaterThan(2); // retried, with backoff
    api.put('pods', pod('shop', 'web', { ips: ['198.18.0.10'] }));
    api.failLists = 0;
    await expect.poll(() => endpointNames(inventory), { timeout: 5_000 }).toEqual(['shop/web']);
    expect(inventory.current().error).toBeUndefined();
  });

  it('keeps the last inventory through a broken watch connection, and catches up after', async () => {
    api.put('pods', pod('shop', 'web', { ips: ['198.18.0.10'] }));
    const inventory = await open();
    api.breakWatches('pods');
    api.put('pods', pod('shop', 'db', { ips: ['198.18.0.11'] }));
    expect(endpointNames(inventory)).toContain('shop/web');
    await expect.poll(() => endpointNames(inventory), { timeout: 5_000 }).toEqual(['shop/db', 'shop/web']);
  });

  it('names host interfaces with the CNI-specific function it is given', async () => {
    api.put('pods', pod('shop', 'web', { ips: ['198.18.0.10'] }));
    const inventory = await open({ hostInterface: ({ namespace: ns, name }) => `lxc-${ns}-${name}`.slice(0, 15) });
    expect(inventory.current().inventory?.endpoints[0]?.hostInterface).toBe('lxc-shop-web');
  });
});
