// Turns a case's compact notation into explicit lists: the topology ("xyz" model plus overrides),
// the full ordered probe list with expected results, and `${ns/pod}` address substitution.
import { err, ok, type Result } from '../errors.ts';
import { type LabCase, NAMESPACE_NAME_LABEL, type PortSpec, type ProbeSpec, type Protocol, type ServiceSpec } from './schema.ts';
import { serviceBackend } from './service-backend.ts';

export interface LabNamespace {
  name: string;
  /** Always includes kubernetes.io/metadata.name, as the API server guarantees. */
  labels: Record<string, string>;
}

export interface LabPort {
  port: number;
  protocol: Protocol;
  name?: string;
}

export interface LabPod {
  namespace: string;
  name: string;
  /** "ns/pod", the key used everywhere in the lab. */
  key: string;
  labels: Record<string, string>;
  ports: LabPort[];
  /** As the case gives them (absent: none). */
  annotations?: Record<string, string>;
  /** The pod's service account: as the case names it, else `default` with no labels, as in Kubernetes. */
  serviceAccount: LabServiceAccount;
}

export interface LabServiceAccount {
  name: string;
  labels: Record<string, string>;
}

/** The account a pod runs as when its spec names none (the API server's admission default). */
const defaultServiceAccount = (): LabServiceAccount => ({ name: 'default', labels: {} });

/** Ordered: namespaces and pods keep the model's order, additions follow in case order. */
export interface LabTopology {
  namespaces: LabNamespace[];
  pods: LabPod[];
  /** As the case declares them; their endpoints follow the pods' labels (endpoint-slices.ts). */
  services: ServiceSpec[];
}

export interface ExpandedProbe {
  from: string;
  /** The pod that answers: for a probe to a Service, the endpoint its ClusterIP sends `port` to. */
  to: string;
  /** The port the client connects to (for a Service, the Service port, not the endpoint's targetPort). */
  port: number;
  protocol: Protocol;
  expected: boolean;
  /**
   * For a probe to a Service: "ns/name", the ClusterIP connected to instead of `to`'s own address,
   * and the port of `to` the node translates `port` to.
   */
  service?: string;
  address?: string;
  targetPort?: number;
}

export const podKey = (namespace: string, name: string): string => `${namespace}/${name}`;

const XYZ_NAMESPACES = ['x', 'y', 'z'] as const;
const XYZ_PODS = ['a', 'b', 'c'] as const;
const XYZ_PORTS: LabPort[] = [80, 81].flatMap((port) =>
  (['TCP', 'UDP'] as const).map((protocol) => ({
    port,
    protocol,
    name: `serve-${port}-${protocol.toLowerCase()}`,
  })),
);

/** The upstream Kubernetes netpol model: x,y,z × a,b,c, each serving TCP+UDP on 80 and 81. */
export function xyzTopology(): LabTopology {
  return {
    namespaces: XYZ_NAMESPACES.map((ns) => ({ name: ns, labels: withNameLabel(ns, { ns }) })),
    pods: XYZ_NAMESPACES.flatMap((ns) =>
      XYZ_PODS.map((pod) => ({
        namespace: ns,
        name: pod,
        key: podKey(ns, pod),
        labels: { pod },
        ports: XYZ_PORTS.map((p) => ({ ...p })),
        serviceAccount: defaultServiceAccount(),
      })),
    ),
    services: [],
  };
}

/** Whatever the case says, the API server's name label wins (FORMAT.md). */
export function withNameLabel(ns: string, labels: Record<string, string>): Record<string, string> {
  return { ...labels, [NAMESPACE_NAME_LABEL]: ns };
}

function toLabPort(p: PortSpec): LabPort {
  return p.name === undefined ? { port: p.port, protocol: p.protocol } : { port: p.port, protocol: p.protocol, name: p.name };
}

export function expandTopology(c: LabCase): Result<LabTopology> {
  const base: LabTopology = c.topology === 'xyz' ? xyzTopology() : { namespaces: [], pods: [], services: [] };

  // Explicit entries replace same-named model entries in place (keeping the order) or are appended.
  const namespaces = [...base.namespaces];
  for (const [name, spec] of Object.entries(c.namespaces ?? {})) {
    const entry = { name, labels: withNameLabel(name, spec.labels) };
    const i = namespaces.findIndex((n) => n.name === name);
    if (i >= 0) namespaces[i] = entry;
    else namespaces.push(entry);
  }

  const pods = [...base.pods];
  const seen = new Set<string>();
  for (const [i, spec] of (c.pods ?? []).entries()) {
    const key = podKey(spec.namespace, spec.name);
    if (seen.has(key)) return err('duplicate_pod', `pods[${i}]: pod ${key} is declared twice`, { path: `pods.${i}` });
    seen.add(key);
    const entry: LabPod = {
      namespace: spec.namespace,
      name: spec.name,
      key,
      labels: { ...spec.labels },
      ports: spec.ports.map(toLabPort),
      ...(spec.annotations && { annotations: { ...spec.annotations } }),
      serviceAccount: spec.serviceAccount ? { name: spec.serviceAccount.name, labels: { ...spec.serviceAccount.labels } } : defaultServiceAccount(),
    };
    const j = pods.findIndex((p) => p.key === key);
    if (j >= 0) pods[j] = entry;
    else pods.push(entry);
  }

  // A pod in an undeclared namespace is an error rather than an implicit namespace: namespace
  // labels drive namespaceSelectors, so silently inventing one would hide a typo.
  const nsNames = new Set(namespaces.map((n) => n.name));
  for (const [i, pod] of pods.entries()) {
    if (!nsNames.has(pod.namespace)) {
      return err('unknown_namespace', `pod ${pod.key}: namespace "${pod.namespace}" is not declared`, {
        path: `pods.${i}.namespace`,
      });
    }
  }
  const services: ServiceSpec[] = [];
  for (const [i, service] of (c.services ?? []).entries()) {
    if (!nsNames.has(service.namespace)) {
      return err('unknown_namespace', `service ${service.namespace}/${service.name}: namespace "${service.namespace}" is not declared`, {
        path: `services.${i}.namespace`,
      });
    }
    if (services.some((s) => s.namespace === service.namespace && s.name === service.name)) {
      return err('duplicate_service', `services[${i}]: service ${service.namespace}/${service.name} is declared twice`, { path: `services.${i}` });
    }
    services.push(service);
  }
  return ok({ namespaces, pods, services });
}

/** `*`, `ns/*` or `ns/pod` against a pod key "ns/pod". */
export function matchesPattern(pattern: string, key: string): boolean {
  if (pattern === '*') return true;
  const [pns, ppod] = pattern.split('/', 2);
  const [kns, kpod] = key.split('/', 2);
  return pns === kns && (ppod === '*' || ppod === kpod);
}

/**
 * Every ordered pair of distinct pods for each probe entry, in entry → from → to order.
 * Fails on a pattern that selects no pod, and on a pair expected to connect to a port the target
 * does not serve (such a probe could never pass, whatever the dataplane does).
 */
export function expandProbes(topology: LabTopology, probes: readonly ProbeSpec[], path = 'probes'): Result<ExpandedProbe[]> {
  const keys = topology.pods.map((p) => p.key);
  const out: ExpandedProbe[] = [];
  for (const [i, spec] of probes.entries()) {
    for (const [j, ex] of spec.except.entries()) {
      for (const side of ['from', 'to'] as const) {
        if (!keys.some((k) => matchesPattern(ex[side], k))) {
          return err('pattern_matches_nothing', `${path}[${i}].except[${j}].${side}: "${ex[side]}" matches no pod`, {
            path: `${path}.${i}.except.${j}.${side}`,
          });
        }
      }
    }
    if (spec.service !== undefined) {
      const probes = serviceProbes(topology, spec, spec.service, `${path}.${i}`);
      if (!probes.ok) return probes;
      out.push(...probes.value);
      continue;
    }
    for (const from of topology.pods) {
      for (const to of topology.pods) {
        if (from.key === to.key) continue; // FORMAT.md: a pod is not probed against itself
        const excepted = spec.except.some((e) => matchesPattern(e.from, from.key) && matchesPattern(e.to, to.key));
        const expected = excepted ? !spec.default : spec.default;
        if (expected && !to.ports.some((p) => p.port === spec.port && p.protocol === spec.protocol)) {
          return err(
            'port_not_served',
            `${path}[${i}]: ${from.key} -> ${to.key} expects ${spec.protocol}/${spec.port} to connect, but ${to.key} does not serve it`,
            { path: `${path}.${i}` },
          );
        }
        out.push({ from: from.key, to: to.key, port: spec.port, protocol: spec.protocol, expected });
      }
    }
  }
  return ok(out);
}

/** Every pod but the endpoint to the Service's ClusterIP on `spec.port` (the endpoint is `to`, for `except`). */
function serviceProbes(topology: LabTopology, spec: ProbeSpec, key: string, path: string): Result<ExpandedProbe[]> {
  const service = topology.services.find((s) => `${s.namespace}/${s.name}` === key);
  const address = service?.clusterIP;
  if (service === undefined || address === undefined) {
    return err('unknown_service', `${path}: service ${key} is not declared with a clusterIP`, { path: `${path}.service` });
  }
  const backend = serviceBackend(service, topology.pods, spec.port, spec.protocol);
  if (!backend) {
    return err('unknown_service', `${path}: service ${key} has no endpoint for its port ${spec.protocol}/${spec.port}`, { path: `${path}.port` });
  }
  const to = backend.pod.key;
  return ok(
    topology.pods
      .filter((from) => from.key !== to)
      .map((from) => {
        const excepted = spec.except.some((e) => matchesPattern(e.from, from.key) && matchesPattern(e.to, to));
        const expected = excepted ? !spec.default : spec.default;
        return { from: from.key, to, port: spec.port, protocol: spec.protocol, expected, service: key, address, targetPort: backend.targetPort };
      }),
  );
}

const PLACEHOLDER = /\$\{([^}]*)\}/g;

/**
 * Deep copy of `value` with every `${ns/pod}` inside string values replaced by `addressOf(key)`
 * (the pod's IPv4 address). Object keys are left alone: policy field names never hold addresses.
 */
export function substituteAddresses<T>(value: T, addressOf: (key: string) => string | undefined): Result<T> {
  let missing: { key: string; path: string } | undefined;
  const walk = (v: unknown, path: string): unknown => {
    if (typeof v === 'string') {
      return v.replace(PLACEHOLDER, (whole, key: string) => {
        const addr = addressOf(key);
        if (addr === undefined) {
          missing ??= { key, path };
          return whole;
        }
        return addr;
      });
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}.${i}`));
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, path ? `${path}.${k}` : k)]));
    }
    return v;
  };
  const out = walk(value, '') as T;
  if (missing) {
    return err('unknown_placeholder', `\${${missing.key}} at ${missing.path || '(root)'} names no pod`, missing);
  }
  return ok(out);
}

export interface ExpandedStep {
  delete: LabCase['steps'][number]['delete'];
  relabel: LabCase['steps'][number]['relabel'];
  /** Still holding `${ns/pod}` placeholders: addresses exist only once the topology is built. */
  apply: LabCase['steps'][number]['apply'];
  probes: ExpandedProbe[];
}

export interface ExpandedCase {
  name: string;
  topology: LabTopology;
  steps: ExpandedStep[];
}

/** Topology and every step's probes; probes are expanded against the initial pod set. */
export function expandCase(c: LabCase): Result<ExpandedCase> {
  const topo = expandTopology(c);
  if (!topo.ok) return topo;
  const steps: ExpandedStep[] = [];
  for (const [i, step] of c.steps.entries()) {
    const probes = expandProbes(topo.value, step.probes, `steps.${i}.probes`);
    if (!probes.ok) return probes;
    steps.push({ delete: step.delete, relabel: step.relabel, apply: step.apply, probes: probes.value });
  }
  return ok({ name: c.name, topology: topo.value, steps });
}
