// The agent endpoints, sign-up and API keys through the real app, fed arbitrary JSON and mutations of
// valid bodies (a subtree replaced, a string made hostile, a field added or dropped, a subtree nested
// past the bound): every answer is a 2xx, or a 4xx problem whose errors name a field, never a 5xx.
// On PGlite and on Postgres, whose refusals (NUL, surrogates, int4, dates) differ.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, apiClient, createAgentToken, createCluster, signUp } from '../../support/api-client.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';
import { applyMutation, hostileJson, leavesOf, mutation } from '../../unit/properties/hostile-json.ts';

/** Bounded: each run is an HTTP request and a transaction. */
const NUM_RUNS = 40;
/** Below the API-wide body limit (1 MiB by default), and below the small objects' 16 KiB. */
const DOCUMENT_BODY = 512 * 1024;
const SMALL_BODY = 12 * 1024;

interface Endpoint {
  name: string;
  method: string;
  path: string;
  credential: 'key' | 'agent' | 'none';
  valid: unknown;
  vocabulary: string[];
  /** Bodies this long or longer are not sent: below the route's body limit (api/http/body-limits.ts). */
  maxSent: number;
}

const flow = {
  startTime: '2026-11-26T12:00:00.000Z',
  endTime: '2026-11-26T12:00:15.000Z',
  endpoint: 'shop/web',
  direction: 'ingress',
  remote: '198.18.0.1',
  protocol: 6,
  port: 80,
  kind: 'denied',
  rule: { tier: 'default', policyId: 'NetworkPolicy/shop/deny', ruleIndex: 'default', action: 'Deny' },
  pendingVerdict: 'allow',
  pendingRule: null,
  count: 3,
  bytes: 180,
};

const ENDPOINTS: Endpoint[] = [
  {
    name: 'POST /v1/agent/status',
    method: 'POST',
    path: '/v1/agent/status',
    credential: 'agent',
    valid: {
      nodeName: 'node-a',
      appliedRevision: 3,
      agentVersion: '1.0.0',
      errors: [{ code: 'COMPILE', message: 'too many rules', endpoint: 'shop/web', revision: 3 }],
      programs: { 'shop/web': { instructions: 120, strategy: 'straight-line', maps: ['a'], bandwidth: { egress: { rate: 1e6 } } } },
    },
    maxSent: DOCUMENT_BODY,
    vocabulary: ['nodeName', 'appliedRevision', 'inventoryHash', 'agentVersion', 'errors', 'programs', 'code', 'message', 'endpoint', 'revision'],
  },
  {
    name: 'POST /v1/agent/flows',
    method: 'POST',
    path: '/v1/agent/flows',
    credential: 'agent',
    valid: { nodeName: 'node-a', entries: [flow, { ...flow, rule: null, kind: 'allowed', pendingVerdict: undefined }], dropped: 0 },
    maxSent: DOCUMENT_BODY,
    vocabulary: [
      'nodeName',
      'entries',
      'dropped',
      ...Object.keys(flow),
      'tier',
      'policyId',
      'ruleIndex',
      'action',
      'allowed',
      'denied',
      'logged',
      'ingress',
      'egress',
    ],
  },
  {
    name: 'PUT /v1/agent/inventory',
    method: 'PUT',
    path: '/v1/agent/inventory?nodeName=node-a',
    credential: 'agent',
    valid: {
      namespaces: [{ name: 'shop', labels: { team: 'a' } }],
      endpoints: [
        {
          namespace: 'shop',
          name: 'web',
          labels: { app: 'web' },
          ipv4: ['198.18.0.10'],
          ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
          serviceAccount: { name: 'web', labels: {} },
          annotations: { 'kubernetes.io/egress-bandwidth': '10M' },
        },
      ],
      nodes: [{ name: 'node-a', labels: {}, addresses: ['198.18.1.1'] }],
    },
    maxSent: DOCUMENT_BODY,
    vocabulary: [
      'namespaces',
      'endpoints',
      'nodes',
      'name',
      'labels',
      'namespace',
      'ipv4',
      'ipv6',
      'ports',
      'port',
      'protocol',
      'node',
      'hostInterface',
      'serviceAccount',
      'annotations',
      'addresses',
    ],
  },
  {
    name: 'POST /v1/signup',
    method: 'POST',
    path: '/v1/signup',
    credential: 'none',
    valid: { tenantName: 'acme', email: 'owner@example.com' },
    maxSent: SMALL_BODY,
    vocabulary: ['tenantName', 'email', 'plan', 'free', 'enterprise'],
  },
  {
    name: 'POST /v1/api-keys',
    method: 'POST',
    path: '/v1/api-keys',
    credential: 'key',
    valid: { name: 'ci', role: 'viewer' },
    maxSent: SMALL_BODY,
    vocabulary: ['name', 'role', 'viewer', 'editor', 'admin', 'owner'],
  },
];

/** Mutations the test client can serialise: JSON.stringify itself overflows at 10,000 levels (the explicit cases send those as text). */
const serialisable = (vocabulary: string[], known: unknown[]) => mutation(vocabulary, known).filter((m) => m.type !== 'nest' || m.depth < 1_000);

describe.each(['pglite', 'postgres'] as const)('hostile bodies on %s', (flavour) => {
  let control: TestControlPlane;
  let api: ApiClient;
  let key: string;
  let agent: string;

  beforeAll(async () => {
    control = await startTestControlPlane(flavour);
    api = apiClient(control.url);
    ({ key } = await signUp(api));
    agent = await createAgentToken(api, key, (await createCluster(api, key)).id);
  });
  afterAll(() => control?.stop());

  async function expectNo5xx(endpoint: Endpoint, body: unknown) {
    const raw = JSON.stringify(body) ?? 'null';
    // Over the body limit the server answers 413 before the upload ends, and fetch reports the closed
    // socket instead of the answer; oversized bodies have their own cases (bad-input.test.ts).
    fc.pre(Buffer.byteLength(raw) < endpoint.maxSent);
    const response = await api.call(endpoint.method, endpoint.path, {
      key: endpoint.credential === 'key' ? key : endpoint.credential === 'agent' ? agent : undefined,
      raw,
    });
    const shown = `${response.status} for ${(JSON.stringify(body) ?? '').slice(0, 300)}: ${response.text.slice(0, 300)}`;
    expect(response.status, shown).toBeLessThan(500);
    if (response.status >= 400) {
      expect(response.headers.get('content-type'), shown).toBe('application/problem+json');
      if (response.status === 422) {
        expect(response.body.errors.length, shown).toBeGreaterThan(0);
        for (const error of response.body.errors) expect(typeof error.path, shown).toBe('string');
      }
    }
  }

  for (const endpoint of ENDPOINTS) {
    it(`${endpoint.name}: accepts its valid body`, async () => {
      const response = await api.call(endpoint.method, endpoint.path, {
        key: endpoint.credential === 'key' ? key : endpoint.credential === 'agent' ? agent : undefined,
        body: endpoint.valid,
      });
      expect(response.status, response.text).toBeLessThan(300);
    });

    it(`${endpoint.name}: one to three mutations of a valid body give a 2xx or a 4xx naming the field`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(serialisable(endpoint.vocabulary, leavesOf(endpoint.valid)), { minLength: 1, maxLength: 3 }), (mutations) =>
          expectNo5xx(
            endpoint,
            mutations.reduce((body, m) => applyMutation(body, m), endpoint.valid),
          ),
        ),
        { numRuns: NUM_RUNS },
      );
    });

    it(`${endpoint.name}: arbitrary JSON gives a 4xx`, async () => {
      await fc.assert(
        fc.asyncProperty(hostileJson(endpoint.vocabulary), (body) => expectNo5xx(endpoint, body)),
        { numRuns: NUM_RUNS / 2 },
      );
    });
  }
});
