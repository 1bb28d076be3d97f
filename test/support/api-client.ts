// A small client for the REST API as a user's tool would call it, plus factories for unique data.
import { randomBytes } from 'node:crypto';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  key?: string;
  body?: unknown;
  /** Sent as is (for YAML and malformed bodies). */
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export function apiClient(baseUrl: string) {
  async function call<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key) headers.authorization = `Bearer ${options.key}`;
    let body: string | undefined;
    if (options.raw !== undefined) {
      body = options.raw;
      headers['content-type'] = options.contentType ?? 'application/json';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = options.contentType ?? 'application/json';
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }
  return {
    call,
    get: <T = any>(path: string, options?: RequestOptions) => call<T>('GET', path, options),
    post: <T = any>(path: string, options?: RequestOptions) => call<T>('POST', path, options),
    put: <T = any>(path: string, options?: RequestOptions) => call<T>('PUT', path, options),
    delete: <T = any>(path: string, options?: RequestOptions) => call<T>('DELETE', path, options),
  };
}
export type ApiClient = ReturnType<typeof apiClient>;

export const unique = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;

/** A new tenant and its owner key; sign-up gives the free plan, so any other is then asked for by the owner. */
export async function signUp(api: ApiClient, plan = 'free') {
  const response = await api.post('/v1/signup', { body: { tenantName: unique('tenant'), email: `${unique('owner')}@example.com` } });
  if (response.status !== 201) throw new Error(`sign-up failed: ${response.status} ${response.text}`);
  const tenant = { tenantId: response.body.tenant.id as string, key: response.body.apiKey.key as string };
  if (plan !== 'free') {
    const changed = await api.put('/v1/tenant/plan', { key: tenant.key, body: { plan } });
    if (changed.status !== 200) throw new Error(`plan change failed: ${changed.status} ${changed.text}`);
  }
  return tenant;
}

export async function createCluster(api: ApiClient, key: string, name = unique('cluster')) {
  const response = await api.post('/v1/clusters', { key, body: { name, provider: 'kind' } });
  if (response.status !== 201) throw new Error(`cluster create failed: ${response.status} ${response.text}`);
  return response.body as { id: string; name: string };
}

export async function createAgentToken(api: ApiClient, key: string, clusterId: string) {
  const response = await api.post(`/v1/clusters/${clusterId}/agent-tokens`, { key, body: { name: 'test' } });
  if (response.status !== 201) throw new Error(`agent token create failed: ${response.status} ${response.text}`);
  return response.body.token as string;
}

export function networkPolicy(name: string, namespace = 'default', spec: Record<string, unknown> = { podSelector: {}, policyTypes: ['Ingress'] }) {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

export async function createPolicy(api: ApiClient, key: string, clusterId: string, manifest = networkPolicy(unique('np'))) {
  const response = await api.post(`/v1/clusters/${clusterId}/policies`, { key, body: manifest });
  if (response.status !== 201) throw new Error(`policy create failed: ${response.status} ${response.text}`);
  return response.body as { id: string; manifest: Record<string, unknown> };
}
