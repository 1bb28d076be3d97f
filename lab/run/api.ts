// The REST calls a lab run makes, as a user's tool would make them: sign up, create a cluster and
// an agent token, fetch the trust root, apply (create or replace) and delete policy objects, and
// read back bundles and agent status. Every refusal becomes a RunError naming the request.
import { stringify as toYaml } from 'yaml';
import type { z } from 'zod';
import type { agentErrorSchema, agentStatusSchema } from '../../api/schemas/agent-status.ts';
import type { bundleSchema } from '../../api/schemas/bundles.ts';
import type { directionExplanationSchema, explanationSchema } from '../../api/schemas/explain.ts';
import type { policySchema } from '../../api/schemas/policies.ts';
import { type PlanLimits, planLimitsSchema } from '../../policy/plan/limits.ts';
import { RunError } from './errors.ts';

// The API's answers, typed from the API's own response schemas (type-only imports: the lab loads no
// API code), so the two cannot drift apart.
export type PolicyRecord = z.infer<typeof policySchema>;
export type AgentStatusRecord = z.infer<typeof agentStatusSchema>;
export type Explanation = z.infer<typeof explanationSchema>;
export type BundleRecord = z.infer<typeof bundleSchema>;
export type AgentStatusError = z.infer<typeof agentErrorSchema>;
export type DirectionExplanation = z.infer<typeof directionExplanationSchema>;

export interface PolicyRef {
  kind: string;
  namespace?: string | undefined;
  name: string;
}

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function refOf(object: { kind: string; metadata: { name: string; namespace?: string | undefined } }): PolicyRef {
  return { kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name };
}

export const describeRef = (ref: PolicyRef): string => `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;

export class LabApi {
  constructor(
    readonly baseUrl: string,
    private key?: string,
  ) {}

  private async call<T>(
    method: string,
    path: string,
    body?: { json: unknown } | { yaml: string },
    expect: number[] = [200],
  ): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = {};
    if (this.key) headers.authorization = `Bearer ${this.key}`;
    let payload: string | undefined;
    if (body && 'json' in body) {
      payload = JSON.stringify(body.json);
      headers['content-type'] = 'application/json';
    } else if (body) {
      payload = body.yaml;
      headers['content-type'] = 'application/yaml';
    }
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: payload, signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      throw new RunError('api_failed', `${method} ${path}: ${(error as Error).message}`);
    }
    const text = await response.text();
    if (!expect.includes(response.status)) {
      throw new RunError('api_failed', `${method} ${path} answered ${response.status}: ${text.slice(0, 2000)}`, { status: response.status });
    }
    return { status: response.status, body: (text && (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text) as T };
  }

  /** Signs up a tenant and keeps its API key for the calls that follow. */
  async signUp(tenantName: string): Promise<{ tenantId: string }> {
    const r = await this.call<{ tenant: { id: string }; apiKey: { key: string } }>(
      'POST',
      '/v1/signup',
      { json: { tenantName, email: `${tenantName}@lab.example.com` } },
      [201],
    );
    this.key = r.body.apiKey.key;
    return { tenantId: r.body.tenant.id };
  }

  /** The tenant's plan limits (GET /v1/tenant): bundles carry the ones the agent enforces. */
  async planLimits(): Promise<PlanLimits> {
    const r = await this.call<{ limits: unknown }>('GET', '/v1/tenant');
    const parsed = planLimitsSchema.safeParse(r.body.limits);
    if (!parsed.success) throw new RunError('api_failed', `GET /v1/tenant: unexpected limits ${JSON.stringify(r.body.limits)}`);
    return parsed.data;
  }

  async createCluster(name: string): Promise<{ id: string }> {
    return (await this.call<{ id: string }>('POST', '/v1/clusters', { json: { name, provider: 'kind' } }, [201])).body;
  }

  async createAgentToken(clusterId: string, name: string): Promise<string> {
    return (await this.call<{ token: string }>('POST', `/v1/clusters/${clusterId}/agent-tokens`, { json: { name } }, [201])).body.token;
  }

  /** The JWKS, as text: the agent's trust root file. */
  async trustRoot(): Promise<string> {
    return JSON.stringify((await this.call<unknown>('GET', '/v1/trust-root')).body);
  }

  /** Every policy of the cluster (all pages). */
  async listPolicies(clusterId: string): Promise<PolicyRecord[]> {
    return this.all<PolicyRecord>(`/v1/clusters/${clusterId}/policies`, new URLSearchParams({ limit: '200' }));
  }

  /** Looks the object up by kind, namespace and name, with the list endpoint's filters. */
  async findPolicy(clusterId: string, ref: PolicyRef): Promise<PolicyRecord | undefined> {
    // Cluster-scoped kinds are stored without a namespace, which the filter matches as "".
    const query = new URLSearchParams({ limit: '200', kind: ref.kind, namespace: ref.namespace ?? '', name: ref.name });
    const found = await this.all<PolicyRecord>(`/v1/clusters/${clusterId}/policies`, query);
    return found.find((p) => p.kind === ref.kind && p.name === ref.name && (p.namespace ?? undefined) === ref.namespace);
  }

  /** Create, or replace when kind/namespace/name exists (kubectl apply). `asYaml` sends the body as YAML. */
  async applyPolicy(clusterId: string, object: PolicyRef & { manifest: unknown }, asYaml = false): Promise<'created' | 'replaced'> {
    const body = asYaml ? { yaml: toYaml(object.manifest) } : { json: object.manifest };
    const existing = await this.findPolicy(clusterId, object);
    if (existing) {
      await this.call('PUT', `/v1/policies/${existing.id}`, body, [200]);
      return 'replaced';
    }
    await this.call('POST', `/v1/clusters/${clusterId}/policies`, body, [201]);
    return 'created';
  }

  async deletePolicy(clusterId: string, ref: PolicyRef): Promise<void> {
    const existing = await this.findPolicy(clusterId, ref);
    if (!existing) throw new RunError('invalid_case', `delete: ${describeRef(ref)} does not exist in the cluster`);
    await this.call('DELETE', `/v1/policies/${existing.id}`, undefined, [204]);
  }

  /** The newest bundle of the cluster, or undefined before the first build. */
  async latestBundle(clusterId: string): Promise<BundleRecord | undefined> {
    const all = await this.all<BundleRecord>(`/v1/clusters/${clusterId}/bundles`, new URLSearchParams({ limit: '200' }));
    return all.reduce<BundleRecord | undefined>((a, b) => (a === undefined || b.revision > a.revision ? b : a), undefined);
  }

  async agentStatus(clusterId: string, nodeName: string): Promise<AgentStatusRecord | undefined> {
    const r = await this.call<{ items: AgentStatusRecord[] }>('GET', `/v1/clusters/${clusterId}/agents`);
    return r.body.items.find((a) => a.nodeName === nodeName);
  }

  /** The control plane's explanation of one connection (`from`/`to` as namespace/pod). */
  async explain(clusterId: string, q: { from: string; to: string; port: number; protocol: string }): Promise<Explanation> {
    const query = new URLSearchParams({ from: q.from, to: q.to, port: String(q.port), protocol: q.protocol });
    return (await this.call<Explanation>('GET', `/v1/clusters/${clusterId}/explain?${query}`)).body;
  }

  private async all<T>(path: string, query: URLSearchParams): Promise<T[]> {
    const out: T[] = [];
    for (let cursor: string | null = null, first = true; first || cursor; first = false) {
      if (cursor) query.set('cursor', cursor);
      const page: Page<T> = (await this.call<Page<T>>('GET', `${path}?${query}`)).body;
      out.push(...page.items);
      cursor = page.nextCursor;
    }
    return out;
  }
}
