// The reachability case format (../shared/netpol-cases/FORMAT.md) as zod schemas. Only the lab's own
// structure is checked strictly (so a misspelt `expcept` is an error, not a silently empty list);
// the policy objects under `apply` are passed through untouched: policy/ owns their validation.
import { isIPv4 } from 'node:net';
import { z } from 'zod';
import { err, ok, type Result } from '../errors.ts';

/** Set by the Kubernetes API server on every namespace; policies select "this namespace" with it. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

// Kubernetes name rules: namespaces are DNS-1123 labels, pods DNS-1123 subdomains. Enforcing them
// here keeps names safe to embed in netns and interface names later.
const dnsLabel = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS-1123 label');
const dnsSubdomain = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, 'must be a DNS-1123 subdomain');

export const labelsSchema = z.record(z.string().min(1), z.string());
export const protocolSchema = z.enum(['TCP', 'UDP', 'SCTP']);
export type Protocol = z.infer<typeof protocolSchema>;

export const portSchema = z.strictObject({
  port: z.number().int().min(1).max(65535),
  protocol: protocolSchema.default('TCP'), // Kubernetes' default for containerPort
  name: z.string().max(15).optional(), // IANA_SVC_NAME, what named ports in policy refer to
});
export type PortSpec = z.infer<typeof portSchema>;

export const namespaceSpecSchema = z.strictObject({ labels: labelsSchema.default({}) });

export const podSpecSchema = z.strictObject({
  namespace: dnsLabel,
  name: dnsSubdomain,
  labels: labelsSchema.default({}),
  ports: z.array(portSchema).default([]),
  /** Pod annotations; the agent reads the bandwidth ones (kubernetes.io/egress-bandwidth, ...). */
  annotations: z.record(z.string().min(1), z.string()).optional(),
  /** spec.serviceAccountName and that ServiceAccount's labels; absent: `default`, no labels (FORMAT.md). */
  serviceAccount: z.strictObject({ name: dnsSubdomain, labels: labelsSchema.default({}) }).optional(),
});

/**
 * A Kubernetes Service (palisade's addition to FORMAT.md, for rules that match a Service): the lab
 * derives its EndpointSlice from the pods of its namespace whose labels hold every pair of
 * `selector`, as the EndpointSlice controller does (./endpoint-slices.ts), again after each
 * relabel. An empty selector selects nothing: Kubernetes makes no EndpointSlice for a Service
 * without one. `targetPort` defaults to `port`; a name is looked up among each pod's ports of the
 * same protocol. With `clusterIP` (IPv4; absent: headless) the lab plays kube-proxy: the node
 * DNATs each Service port on it to an endpoint (./cluster-ips.ts), and probes may target the Service.
 */
export const serviceSpecSchema = z.strictObject({
  namespace: dnsLabel,
  name: dnsLabel,
  clusterIP: z
    .string()
    .refine((ip) => isIPv4(ip), 'must be an IPv4 address')
    .optional(),
  selector: labelsSchema.default({}),
  ports: z
    .array(
      z.strictObject({
        name: z.string().max(15).optional(),
        port: z.number().int().min(1).max(65535),
        targetPort: z.union([z.number().int().min(1).max(65535), z.string().min(1).max(15)]).optional(),
        protocol: protocolSchema.default('TCP'),
      }),
    )
    .default([]),
});
export type ServiceSpec = z.infer<typeof serviceSpecSchema>;

/** `*`, `ns/*` or `ns/pod`. */
export const podPatternSchema = z.string().regex(/^(\*|[a-z0-9-]+\/(\*|[a-z0-9.-]+))$/, 'must be "*", "ns/*" or "ns/pod"');

/**
 * Every pair of pods on `port`, or with `service` ("ns/name", palisade's addition): every pod to
 * that Service's ClusterIP on `port`, a port of the Service, which the node translates to one
 * endpoint (./cluster-ips.ts); `except` patterns then see that endpoint as `to`.
 */
export const probeSpecSchema = z.strictObject({
  service: z
    .string()
    .regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, 'must be "ns/name"')
    .optional(),
  port: z.number().int().min(1).max(65535),
  protocol: protocolSchema,
  default: z.boolean(),
  except: z.array(z.strictObject({ from: podPatternSchema, to: podPatternSchema })).default([]),
});
export type ProbeSpec = z.infer<typeof probeSpecSchema>;

/** A policy object as the user would `kubectl apply` it; only its identity is required here. */
export const policyObjectSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().min(1),
  metadata: z.looseObject({ name: z.string().min(1), namespace: z.string().optional() }),
});

export const deleteRefSchema = z.strictObject({
  kind: z.string().min(1),
  namespace: z.string().optional(), // absent for cluster-scoped kinds
  name: z.string().min(1),
});

export const relabelSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('Pod'), namespace: dnsLabel, name: dnsSubdomain, labels: labelsSchema }),
  z.strictObject({ kind: z.literal('Namespace'), name: dnsLabel, labels: labelsSchema }),
]);
export type Relabel = z.infer<typeof relabelSchema>;

export const stepSchema = z.strictObject({
  delete: z.array(deleteRefSchema).default([]),
  relabel: z.array(relabelSchema).default([]),
  apply: z.array(policyObjectSchema).default([]),
  probes: z.array(probeSpecSchema).default([]),
});

export const caseSchema = z.strictObject({
  name: z.string().min(1),
  source: z.string().optional(),
  topology: z.literal('xyz').optional(),
  namespaces: z.record(dnsLabel, namespaceSpecSchema).optional(),
  pods: z.array(podSpecSchema).optional(),
  services: z.array(serviceSpecSchema).optional(),
  steps: z.array(stepSchema).min(1),
});
export type LabCase = z.infer<typeof caseSchema>;

/** Validates a parsed JSON value; the error lists every issue with its JSON path. */
export function parseCase(input: unknown): Result<LabCase> {
  const r = caseSchema.safeParse(input);
  if (r.success) return ok(r.data);
  const issues = r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  return err('invalid_case', `invalid case: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`, { issues });
}
