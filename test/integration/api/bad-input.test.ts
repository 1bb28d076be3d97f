// Every kind of bad input gets the right 4xx as problem+json naming the field, and changes nothing.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../../db/index.ts';
import { type ApiClient, networkPolicy } from '../../support/api-client.ts';
import type { TestControlPlane } from '../../support/control-plane.ts';
import { startWithTenantCluster } from '../../support/tenant-with-cluster.ts';

describe('bad input', () => {
  let control: TestControlPlane;
  let api: ApiClient;
  let key: string;
  let clusterId: string;
  let policiesPath: string;

  async function rowCounts() {
    const [row] = rowsOf<Record<string, number>>(
      await control.plane.database.db.execute(sql`select
        (select count(*)::int from policies) as policies, (select count(*)::int from clusters) as clusters,
        (select count(*)::int from audit_log) as audit, (select count(*)::int from outbox) as outbox,
        (select count(*)::int from api_keys) as keys`),
    );
    return row;
  }

  beforeAll(async () => {
    ({ control, api, key, clusterId } = await startWithTenantCluster('postgres', { MAX_BODY_BYTES: String(64 * 1024) }));
    policiesPath = `/v1/clusters/${clusterId}/policies`;
  });
  afterAll(() => control?.stop());

  const withSpec = (spec: Record<string, unknown>) => networkPolicy('bad', 'shop', { podSelector: {}, ...spec });

  const cases: {
    name: string;
    status: number;
    path?: string;
    send: () => { method?: string; url?: string; raw?: string; body?: unknown; contentType?: string; noKey?: boolean; key?: string };
  }[] = [
    { name: 'malformed JSON', status: 400, send: () => ({ raw: '{"apiVersion": ' }) },
    { name: 'malformed YAML', status: 400, send: () => ({ raw: 'kind: [unclosed', contentType: 'application/yaml' }) },
    { name: 'an unsupported media type', status: 415, send: () => ({ raw: 'kind=x', contentType: 'application/x-www-form-urlencoded' }) },
    { name: 'an unknown top-level field', status: 422, path: 'spec.podSelecter', send: () => ({ body: withSpec({ podSelecter: {} }) }) },
    { name: 'a wrong type', status: 422, path: 'spec.ingress', send: () => ({ body: withSpec({ ingress: 'everything' }) }) },
    {
      name: 'an invalid label value in a selector',
      status: 422,
      path: 'spec.podSelector.matchLabels.app',
      send: () => ({ body: withSpec({ podSelector: { matchLabels: { app: '-bad-' } } }) }),
    },
    {
      name: 'an invalid selector operator',
      status: 422,
      path: 'spec.podSelector.matchExpressions.0.operator',
      send: () => ({ body: withSpec({ podSelector: { matchExpressions: [{ key: 'a', operator: 'Like', values: ['x'] }] } }) }),
    },
    {
      name: 'an invalid CIDR',
      status: 422,
      path: 'spec.ingress.0.from.0.ipBlock.cidr',
      send: () => ({ body: withSpec({ ingress: [{ from: [{ ipBlock: { cidr: '300.1.2.3/8' } }] }] }) }),
    },
    {
      name: 'endPort below port',
      status: 422,
      path: 'spec.ingress.0.ports.0.endPort',
      send: () => ({ body: withSpec({ ingress: [{ ports: [{ port: 90, endPort: 80 }] }] }) }),
    },
    { name: 'an invalid object name', status: 422, path: 'metadata.name', send: () => ({ body: networkPolicy('Not_A_Name', 'shop') }) },
    { name: 'an unknown kind', status: 422, path: 'kind', send: () => ({ body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', namespace: 'y' } } }) },
    { name: 'an unknown field on a cluster', status: 422, path: 'colour', send: () => ({ url: '/v1/clusters', body: { name: 'c2', colour: 'red' } }) },
    { name: 'an invalid cluster name', status: 422, path: 'name', send: () => ({ url: '/v1/clusters', body: { name: 'Bad Name!' } }) },
    { name: 'a body over the size limit', status: 413, send: () => ({ body: networkPolicy('big', 'shop', { podSelector: {}, note: 'x'.repeat(70_000) }) }) },
    { name: 'a missing key', status: 401, send: () => ({ body: withSpec({}), noKey: true }) },
    { name: 'an unknown key', status: 401, send: () => ({ body: withSpec({}), key: 'pal_not-a-real-key' }) },
    { name: 'a malformed cluster id', status: 404, send: () => ({ url: '/v1/clusters/not-an-id/policies', body: withSpec({}) }) },
  ];

  for (const testCase of cases) {
    it(`answers ${testCase.status} to ${testCase.name}${testCase.path ? `, naming ${testCase.path}` : ''}, and changes nothing`, async () => {
      const before = await rowCounts();
      const request = testCase.send();
      const response = await api.call(request.method ?? 'POST', request.url ?? policiesPath, {
        key: request.noKey ? undefined : (request.key ?? key),
        body: request.body,
        raw: request.raw,
        contentType: request.contentType,
      });
      expect(response.status).toBe(testCase.status);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.body).toMatchObject({
        status: testCase.status,
        type: expect.stringContaining('https://palisade.dev/problems/'),
        detail: expect.any(String),
      });
      if (testCase.path) expect(response.body.errors.map((error: { path: string }) => error.path)).toContain(testCase.path);
      expect(await rowCounts()).toEqual(before);
    });
  }

  it('refuses a revoked key', async () => {
    const minted = await api.post('/v1/api-keys', { key, body: { name: 'short-lived', role: 'viewer' } });
    expect((await api.get('/v1/clusters', { key: minted.body.key })).status).toBe(200);
    expect((await api.delete(`/v1/api-keys/${minted.body.id}`, { key })).status).toBe(204);
    const refused = await api.get('/v1/clusters', { key: minted.body.key });
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('UNAUTHORIZED');
  });

  it('refuses writes from a viewer key with 403', async () => {
    const viewer = await api.post('/v1/api-keys', { key, body: { name: 'read-only', role: 'viewer' } });
    const before = await rowCounts();
    const refused = await api.post(policiesPath, { key: viewer.body.key, body: withSpec({}) });
    expect(refused.status).toBe(403);
    expect(await rowCounts()).toEqual(before);
  });
});
