// The endpoint inventory: what the agent knows about namespaces, pods, nodes and Services' endpoints, from the Kubernetes API in
// a cluster or from a file in the lab. The single definition every part of the agent uses; the
// compiler resolves policy selectors, peers and named ports against it (../../shared/DESIGN.md,
// "Data flow" step 5).
import { z } from 'zod';
import { canonicalJson } from './bundle/canonical-json.ts';
import { sha256Hex } from './bundle/sign.ts';
import { NAMESPACE_NAME_LABEL } from './ir.ts';
import { parseCidr } from './validation/cidr.ts';
import { refineStorableValue } from './validation/storable-schema.ts';

const labelsSchema = z.record(z.string(), z.string());

/**
 * The API server sets `kubernetes.io/metadata.name` on every namespace and it cannot be changed;
 * policies select "this namespace" by it. Whatever the source says, the name wins, so a namespace
 * from an older cluster or a hand-written lab file still selects as it would on a current cluster.
 */
export const namespaceSchema = z
  .strictObject({
    name: z.string().min(1),
    labels: labelsSchema.default({}),
  })
  .transform(({ name, labels }) => ({ name, labels: { ...labels, [NAMESPACE_NAME_LABEL]: name } }));

/** Protocols a container port can declare (core/v1 ContainerPort.protocol). */
export const portProtocolSchema = z.enum(['TCP', 'UDP', 'SCTP']);
export type PortProtocol = z.infer<typeof portProtocolSchema>;

/** A container port; `name` is what named ports in policy refer to (with the protocol). */
export const endpointPortSchema = z.strictObject({
  name: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535),
  protocol: portProtocolSchema,
});
export type EndpointPort = z.infer<typeof endpointPortSchema>;

/** Same strict rules as ipBlock CIDRs, so an address compares equal to a CIDR written for it. */
function isAddress(text: string, family: 4 | 6): boolean {
  const parsed = parseCidr(`${text}/${family === 4 ? 32 : 128}`);
  return parsed.ok && parsed.cidr.family === family;
}

const anyAddressSchema = z.string().refine((ip) => isAddress(ip, ip.includes(':') ? 6 : 4), 'must be an IPv4 or IPv6 address');

export const endpointSchema = z.strictObject({
  namespace: z.string().min(1),
  name: z.string().min(1),
  labels: labelsSchema.default({}),
  ipv4: z.array(z.string().refine((ip) => isAddress(ip, 4), 'must be an IPv4 address')).default([]),
  ipv6: z.array(z.string().refine((ip) => isAddress(ip, 6), 'must be an IPv6 address')).default([]),
  ports: z.array(endpointPortSchema).default([]),
  /** The node the pod runs on, when known. */
  node: z.string().min(1).optional(),
  /** Host side of the pod's veth; present only for pods on this node, which the agent enforces on. */
  hostInterface: z.string().min(1).optional(),
  /**
   * The pod's service account (spec.serviceAccountName) and that ServiceAccount's labels, when
   * known: policy peers and subjects may select by them (IR EndpointMatch.serviceAccounts). A pod
   * without it matches no service-account condition.
   */
  serviceAccount: z.strictObject({ name: z.string().min(1), labels: labelsSchema.default({}) }).optional(),
  /**
   * The pod's annotations that palisade reads: only the bandwidth ones (policy/bandwidth/
   * annotations.ts), which set the pod's own token buckets. Absent when the pod has none, so
   * inventories without them keep their hash.
   */
  annotations: z.record(z.string(), z.string()).optional(),
});
export type Endpoint = z.infer<typeof endpointSchema>;

/** `namespace/name`: the key endpoints go by in compiler output, flow logs and the lab. */
export type EndpointKey = string;

export function endpointKey(endpoint: Pick<Endpoint, 'namespace' | 'name'>): EndpointKey {
  return `${endpoint.namespace}/${endpoint.name}`;
}

/**
 * A Kubernetes node: its labels and node.status.addresses (InternalIP, ExternalIP as IPv4/IPv6
 * addresses), for rules that name nodes as peers (IR Rule.nodes, AdminNetworkPolicy `nodes`).
 */
export const nodeSchema = z.strictObject({
  name: z.string().min(1),
  labels: labelsSchema.default({}),
  addresses: z.array(anyAddressSchema).default([]),
});

/**
 * A port of an EndpointSlice (discovery.k8s.io/v1 EndpointPort: the target port every endpoint of the
 * slice serves) or of a Service itself (core/v1 ServicePort: the port its ClusterIPs answer on).
 */
export const servicePortSchema = z.strictObject({
  name: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535),
  protocol: portProtocolSchema,
});

/**
 * A Kubernetes Service with its endpoints as its EndpointSlices (discovery.k8s.io/v1) list them,
 * for rules that match a Service (IR Peer.service, Calico `services`): one entry of `slices` per
 * EndpointSlice, with its endpoints' addresses and its ports, every address serving every port of
 * its slice. As Felix's service index reads them (felix/serviceindex), every endpoint of a slice
 * counts whatever its conditions, and a slice port without a number counts for none.
 *
 * `clusterIPs` (spec.clusterIPs, v4 and v6; none for a headless Service) and `ports` (spec.ports:
 * the Service's own port numbers) are the Service's front: the agent's programs run before
 * kube-proxy translates a ClusterIP to an endpoint, so a pod's packet to a Service still carries the
 * ClusterIP and the Service port there. Empty while the Service object itself is not known.
 */
export const serviceSchema = z.strictObject({
  namespace: z.string().min(1),
  name: z.string().min(1),
  clusterIPs: z.array(anyAddressSchema).default([]),
  ports: z.array(servicePortSchema).default([]),
  slices: z.array(z.strictObject({ addresses: z.array(anyAddressSchema), ports: z.array(servicePortSchema) })),
});
export type Service = z.infer<typeof serviceSchema>;

/** `namespace/name`, as for endpoints. */
export function serviceKey(service: Pick<Service, 'namespace' | 'name'>): string {
  return `${service.namespace}/${service.name}`;
}

/**
 * Namespaces and endpoints of the whole cluster: peers of a rule may live on any node, so the
 * inventory holds every pod; the ones with `hostInterface` are this node's.
 */
export const inventorySchema = z
  .strictObject({
    namespaces: z.array(namespaceSchema),
    endpoints: z.array(endpointSchema),
    /** The cluster's nodes, when known (absent: rules naming nodes match no node address). */
    nodes: z.array(nodeSchema).optional(),
    /** The cluster's Services with their endpoints, when known (absent: rules naming a Service match nothing). */
    services: z.array(serviceSchema).optional(),
  })
  .superRefine((inventory, ctx) => {
    // Stored as the cluster's inventory (jsonb): every name and label must be text Postgres keeps.
    refineStorableValue(inventory, ctx);
    const namespaces = new Set<string>();
    inventory.namespaces.forEach((ns, i) => {
      if (namespaces.has(ns.name)) ctx.addIssue({ code: 'custom', path: ['namespaces', i, 'name'], message: `duplicate namespace ${ns.name}` });
      namespaces.add(ns.name);
    });
    const nodes = new Set<string>();
    (inventory.nodes ?? []).forEach((node, i) => {
      if (nodes.has(node.name)) ctx.addIssue({ code: 'custom', path: ['nodes', i, 'name'], message: `duplicate node ${node.name}` });
      nodes.add(node.name);
    });
    const services = new Set<string>();
    (inventory.services ?? []).forEach((service, i) => {
      const key = serviceKey(service);
      if (services.has(key)) ctx.addIssue({ code: 'custom', path: ['services', i, 'name'], message: `duplicate service ${key}` });
      services.add(key);
    });
    const keys = new Set<string>();
    inventory.endpoints.forEach((endpoint, i) => {
      const key = endpointKey(endpoint);
      if (keys.has(key)) ctx.addIssue({ code: 'custom', path: ['endpoints', i, 'name'], message: `duplicate endpoint ${key}` });
      keys.add(key);
      // Namespace selectors need the namespace's labels; a pod without its namespace cannot be placed.
      if (!namespaces.has(endpoint.namespace)) {
        ctx.addIssue({ code: 'custom', path: ['endpoints', i, 'namespace'], message: `unknown namespace ${endpoint.namespace}` });
      }
    });
  });
export type Inventory = z.output<typeof inventorySchema>;
export type InventoryInput = z.input<typeof inventorySchema>;

/**
 * SHA-256 of the inventory's canonical JSON: the agent reports the hash of the inventory it applied,
 * so whoever changed pods or labels (the lab, an operator) can tell when the change took effect.
 */
export function inventoryHash(inventory: Inventory): string {
  return sha256Hex(canonicalJson(inventory));
}
