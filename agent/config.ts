// The agent's configuration: an optional JSON/YAML file, then PALISADE_* environment variables, then
// command-line flags, each overriding the one before (a DaemonSet sets most things in a mounted file
// and the node name from the downward API). Validated once; a bad value stops the agent with the
// field's name. The agent must know its own tenant and cluster: it checks every bundle against them.
// This is the only module in agent/ that reads the environment: everything else gets its settings
// from here.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { STRATEGY_NAMES } from './datapath/codegen/evaluation.ts';
import type { StartupErrorCode } from './errors.ts';

export const DEFAULT_STATE_DIR = '/var/lib/palisade';
export const DEFAULT_MAX_BUNDLE_BYTES = 8 * 1024 * 1024;
export const DEFAULT_METRICS_HOST = '0.0.0.0';

const dnsSubdomain = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a DNS subdomain (a Kubernetes node name)');

const inventorySchema = z.discriminatedUnion('source', [
  z.strictObject({ source: z.literal('file'), path: z.string().min(1) }),
  /** In a pod, the service account's in-cluster config; a kubeconfig path otherwise (labs, debugging). */
  z.strictObject({ source: z.literal('kubernetes'), kubeconfig: z.string().min(1).optional() }),
]);

/** Field by field; parseAgentConfig adds the rules across fields. */
const agentConfigSchema = z.strictObject({
  controlPlaneUrl: z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, '')),
  /** The agent token itself, or (better: it can rotate without a restart) a file holding it. */
  token: z.string().min(1).optional(),
  tokenFile: z.string().min(1).optional(),
  /** The JWKS the agent verifies bundles with, installed beside it (Helm puts it in a ConfigMap). */
  trustRootFile: z.string().min(1).optional(),
  /**
   * Without a trust root file, fetch /v1/trust-root once and pin it in the state dir. Whoever answers
   * that first request is trusted from then on, so it is off unless the operator turns it on.
   */
  trustOnFirstUse: z.boolean().default(false),
  tenantId: z.uuid(),
  clusterId: z.uuid(),
  nodeName: dnsSubdomain,
  stateDir: z.string().min(1).default(DEFAULT_STATE_DIR),
  maxBundleBytes: z.number().int().positive().default(DEFAULT_MAX_BUNDLE_BYTES),
  /** Long-poll wait asked of the control plane; it caps the value at its own maximum. */
  waitSeconds: z.number().int().min(0).max(3600).default(30),
  statusIntervalSeconds: z.number().int().positive().default(60),
  /** Port of the node-local explain endpoint on 127.0.0.1 (GET /explain); absent = off. */
  explainPort: z.number().int().min(1).max(65535).optional(),
  /** Port of GET /metrics (Prometheus); absent = off; 0 picks a free one (tests). */
  metricsPort: z.number().int().min(0).max(65535).optional(),
  /** Address the metrics listener binds; absent = every interface (DEFAULT_METRICS_HOST), as Prometheus scrapes the node's address. */
  metricsHost: z.string().min(1).optional(),
  inventory: inventorySchema,
  /** 'ebpf' enforces; 'dry-run' only logs what it would enforce (labs, bring-up). */
  dataplane: z.enum(['ebpf', 'dry-run']).default('ebpf'),
  /** bpffs mount to pin under, for an agent whose /sys/fs/bpf is not the host's (agent/datapath/pins.ts). */
  bpffsRoot: z.string().min(1).optional(),
  /** Force one evaluation strategy on every program (tests run the same cases through both); default: by size. */
  datapathStrategy: z.enum(STRATEGY_NAMES).optional(),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

/**
 * Rules across fields, checked on the raw input beside the schema so that one run names every
 * problem (zod skips refinements while a field is missing).
 */
function crossFieldIssues(input: unknown): string[] {
  const raw = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const issues: string[] = [];
  if ((raw.token === undefined) === (raw.tokenFile === undefined)) issues.push('token: give exactly one of token or tokenFile');
  if (raw.trustRootFile === undefined && raw.trustOnFirstUse !== true) {
    issues.push('trustRootFile: give a trust root file, or allow trust on first use explicitly');
  }
  return issues;
}

export type AgentConfig = z.output<typeof agentConfigSchema>;

export type ConfigResult = { ok: true; config: AgentConfig } | { ok: false; code: Extract<StartupErrorCode, 'CONFIG_INVALID'>; message: string };

/** Flag name, environment variable, config key and how to read the text. One table, so the three agree. */
const SETTINGS = [
  { flag: 'control-plane-url', env: 'PALISADE_CONTROL_PLANE_URL', key: 'controlPlaneUrl', type: 'string' },
  { flag: 'token', env: 'PALISADE_TOKEN', key: 'token', type: 'string' },
  { flag: 'token-file', env: 'PALISADE_TOKEN_FILE', key: 'tokenFile', type: 'string' },
  { flag: 'trust-root', env: 'PALISADE_TRUST_ROOT_FILE', key: 'trustRootFile', type: 'string' },
  { flag: 'trust-on-first-use', env: 'PALISADE_TRUST_ON_FIRST_USE', key: 'trustOnFirstUse', type: 'boolean' },
  { flag: 'tenant-id', env: 'PALISADE_TENANT_ID', key: 'tenantId', type: 'string' },
  { flag: 'cluster-id', env: 'PALISADE_CLUSTER_ID', key: 'clusterId', type: 'string' },
  { flag: 'node-name', env: 'PALISADE_NODE_NAME', key: 'nodeName', type: 'string' },
  { flag: 'state-dir', env: 'PALISADE_STATE_DIR', key: 'stateDir', type: 'string' },
  { flag: 'max-bundle-bytes', env: 'PALISADE_MAX_BUNDLE_BYTES', key: 'maxBundleBytes', type: 'number' },
  { flag: 'wait-seconds', env: 'PALISADE_WAIT_SECONDS', key: 'waitSeconds', type: 'number' },
  { flag: 'status-interval-seconds', env: 'PALISADE_STATUS_INTERVAL_SECONDS', key: 'statusIntervalSeconds', type: 'number' },
  { flag: 'dataplane', env: 'PALISADE_DATAPLANE', key: 'dataplane', type: 'string' },
  { flag: 'bpffs', env: 'PALISADE_BPFFS', key: 'bpffsRoot', type: 'string' },
  { flag: 'datapath-strategy', env: 'PALISADE_DATAPATH_STRATEGY', key: 'datapathStrategy', type: 'string' },
  { flag: 'explain-port', env: 'PALISADE_EXPLAIN_PORT', key: 'explainPort', type: 'number' },
  { flag: 'metrics-port', env: 'PALISADE_METRICS_PORT', key: 'metricsPort', type: 'number' },
  { flag: 'metrics-host', env: 'PALISADE_METRICS_HOST', key: 'metricsHost', type: 'string' },
  { flag: 'log-level', env: 'PALISADE_LOG_LEVEL', key: 'logLevel', type: 'string' },
] as const;

/** `--inventory-file PATH` or `--inventory kubernetes` (with an optional `--kubeconfig`). */
const INVENTORY_FLAGS = { file: 'inventory-file', kind: 'inventory', kubeconfig: 'kubeconfig' } as const;
const INVENTORY_ENV = { file: 'PALISADE_INVENTORY_FILE', kind: 'PALISADE_INVENTORY', kubeconfig: 'KUBECONFIG' } as const;

type Layer = Record<string, unknown>;

function typed(text: string, type: 'string' | 'number' | 'boolean'): unknown {
  if (type === 'number') return text.trim() === '' ? text : Number(text);
  if (type === 'boolean') return text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : text;
  return text;
}

function inventoryLayer(file: string | undefined, kind: string | undefined, kubeconfig: string | undefined): Layer {
  if (file !== undefined) return { inventory: { source: 'file', path: file } };
  if (kind === 'kubernetes') return { inventory: { source: 'kubernetes', ...(kubeconfig ? { kubeconfig } : {}) } };
  if (kind !== undefined) return { inventory: { source: kind } };
  return {};
}

function envLayer(env: NodeJS.ProcessEnv): Layer {
  const layer: Layer = {};
  for (const setting of SETTINGS) {
    const value = env[setting.env];
    if (value !== undefined && value !== '') layer[setting.key] = typed(value, setting.type);
  }
  const kind = env[INVENTORY_ENV.kind] || undefined;
  // KUBECONFIG alone does not choose the Kubernetes source: many shells have it set for other reasons.
  return { ...layer, ...inventoryLayer(env[INVENTORY_ENV.file] || undefined, kind, kind === 'kubernetes' ? env[INVENTORY_ENV.kubeconfig] : undefined) };
}

function flagLayer(values: Record<string, string | boolean | undefined>): Layer {
  const layer: Layer = {};
  for (const setting of SETTINGS) {
    const value = values[setting.flag];
    if (value === undefined) continue;
    layer[setting.key] = typeof value === 'boolean' ? value : typed(value, setting.type);
  }
  const str = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  return { ...layer, ...inventoryLayer(str(INVENTORY_FLAGS.file), str(INVENTORY_FLAGS.kind), str(INVENTORY_FLAGS.kubeconfig)) };
}

function parseFlags(argv: string[]): { ok: true; values: Record<string, string | boolean | undefined> } | { ok: false; message: string } {
  const options: Record<string, { type: 'string' | 'boolean' }> = { config: { type: 'string' } };
  for (const setting of SETTINGS) options[setting.flag] = { type: setting.type === 'boolean' ? 'boolean' : 'string' };
  for (const flag of Object.values(INVENTORY_FLAGS)) options[flag] = { type: 'string' };
  try {
    return { ok: true, values: parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

async function fileLayer(path: string): Promise<{ ok: true; layer: Layer } | { ok: false; message: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return { ok: false, message: `cannot read config file ${path}: ${(error as Error).message}` };
  }
  try {
    // YAML is a superset of JSON, so one parser reads both. Imported here, only when there is a file:
    // the parser is some 60 CommonJS modules an agent configured by its environment or flags (the DaemonSet) would
    // load before its first apply (issue 13 item 5).
    const { parse: parseYaml } = await import('yaml');
    const parsed: unknown = parseYaml(text);
    if (parsed === null || parsed === undefined) return { ok: true, layer: {} };
    if (typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, message: `config file ${path} must hold an object` };
    return { ok: true, layer: parsed as Layer };
  } catch (error) {
    return { ok: false, message: `config file ${path} is not JSON or YAML: ${(error as Error).message}` };
  }
}

export interface ConfigSources {
  argv?: string[];
  env?: NodeJS.ProcessEnv;
}

/** Reads `--config FILE` (or PALISADE_CONFIG), the environment and the flags, in that order of precedence. */
export async function loadAgentConfig(sources: ConfigSources = {}): Promise<ConfigResult> {
  const env = sources.env ?? process.env;
  const flags = parseFlags(sources.argv ?? []);
  if (!flags.ok) return invalid(flags.message);
  const configPath = (flags.values.config as string | undefined) ?? (env.PALISADE_CONFIG || undefined);
  let base: Layer = {};
  if (configPath !== undefined) {
    const loaded = await fileLayer(configPath);
    if (!loaded.ok) return invalid(loaded.message);
    base = loaded.layer;
  }
  return parseAgentConfig({ ...base, ...envLayer(env), ...flagLayer(flags.values) });
}

export function parseAgentConfig(input: unknown): ConfigResult {
  const parsed = agentConfigSchema.safeParse(input);
  const issues = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.') || '(config)'}: ${/received undefined$/.test(issue.message) ? 'is required' : issue.message}`);
  issues.push(...crossFieldIssues(input));
  if (parsed.success && issues.length === 0) return { ok: true, config: parsed.data };
  return invalid(issues.join('; '));
}

function invalid(message: string): ConfigResult {
  return { ok: false, code: 'CONFIG_INVALID', message };
}
