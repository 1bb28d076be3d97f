// Conventions every client relies on: Idempotency-Key replays, cursor pagination with filters, plan
// limits refused with 422 naming limit/usage/asked, and an OpenAPI 3.1 document with an operationId
// on every operation, plus the interactive reference.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../../api/openapi/document.ts';
import { rowsOf } from '../../../db/index.ts';
import { type ApiClient, apiClient, createCluster, networkPolicy, signUp, unique } from '../../support/api-client.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';

describe('API conventions', () => {
  let control: TestControlPlane;
  let api: ApiClient;

  beforeAll(async () => {
    control = await startTestControlPlane('postgres');
    api = apiClient(control.url);
  });
  afterAll(() => control?.stop());

  it('replays a POST with the same Idempotency-Key instead of creating twice, and refuses the key for another body', async () => {
    const { key } = await signUp(api);
    const headers = { 'idempotency-key': unique('retry') };
    const first = await api.post('/v1/clusters', { key, body: { name: 'once' }, headers });
    const retry = await api.post('/v1/clusters', { key, body: { name: 'once' }, headers });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect((await api.get('/v1/clusters', { key })).body.items).toHaveLength(1);
    const misuse = await api.post('/v1/clusters', { key, body: { name: 'twice' }, headers });
    expect(misuse.status).toBe(422);
    expect(misuse.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('pages through a list with a cursor and filters it', async () => {
    const { key } = await signUp(api);
    const cluster = await createCluster(api, key);
    const names = Array.from({ length: 7 }, (_, index) => `np-${index}`);
    for (const name of names) await api.post(`/v1/clusters/${cluster.id}/policies`, { key, body: networkPolicy(name, index(name) % 2 ? 'odd' : 'even') });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { name: string }[]; nextCursor: string | null } } = await api.get(
        `/v1/clusters/${cluster.id}/policies?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        { key },
      );
      expect(page.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.items.map((item: { name: string }) => item.name));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(names);
    const odd = await api.get(`/v1/clusters/${cluster.id}/policies?namespace=odd`, { key });
    expect(odd.body.items.map((item: { name: string }) => item.name)).toEqual(['np-1', 'np-3', 'np-5']);
    const tooBig = await api.get(`/v1/clusters/${cluster.id}/policies?limit=1000`, { key });
    expect(tooBig.status).toBe(422);
    expect(tooBig.body.errors[0].path).toBe('query.limit');
  });

  it('refuses a write over a plan limit with 422 naming the limit, the usage and the asked value, and writes nothing', async () => {
    const { key, tenantId } = await signUp(api); // free plan: 3 clusters, 100 rules per policy
    for (let n = 0; n < 3; n++) await createCluster(api, key);
    const counts = async () =>
      rowsOf<{ clusters: number; audit: number }>(
        await control.plane.database.db.execute(sql`select (select count(*)::int from clusters where tenant_id = ${tenantId}) as clusters,
          (select count(*)::int from audit_log where tenant_id = ${tenantId}) as audit`),
      )[0];
    const before = await counts();
    const refused = await api.post('/v1/clusters', { key, body: { name: 'fourth' } });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'clusters', usage: 3, requested: 4 });
    expect(await counts()).toEqual(before);

    const cluster = (await api.get('/v1/clusters', { key })).body.items[0];
    const manyRules = networkPolicy('wide', 'shop', { podSelector: {}, ingress: Array.from({ length: 101 }, (_, port) => ({ ports: [{ port: port + 1 }] })) });
    const tooMany = await api.post(`/v1/clusters/${cluster.id}/policies`, { key, body: manyRules });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'rulesPerPolicy', requested: 101 });
    expect((await api.get('/v1/tenant', { key })).body.usage).toEqual({ clusters: 3, policies: 0 });
  });

  it('serves an OpenAPI 3.1 document in which every operation has an operationId, and the reference page', async () => {
    const document = (await api.get('/openapi.json')).body;
    expect(document.openapi).toBe('3.1.0');
    const operations = Object.entries(document.paths as Record<string, Record<string, { operationId?: string }>>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method, operationId: operation.operationId })),
    );
    expect(operations.length).toBeGreaterThanOrEqual(20);
    for (const operation of operations) expect(operation.operationId, `${operation.method} ${operation.path}`).toMatch(/^[a-z][A-Za-z]+$/);
    expect(new Set(operations.map((operation) => operation.operationId)).size).toBe(operations.length);
    // Public operations say so (security: []); the server is wherever the document was served from.
    expect(document.paths['/v1/signup'].post.security).toEqual([]);
    expect(document.paths['/v1/trust-root'].get.security).toEqual([]);
    expect(document.servers.map((server: { url: string }) => server.url)).toEqual(['/']);
    // The document `npm run lint` checks with redocly, built without a server, is the one served.
    const built = buildOpenApiDocument(document.info.version);
    expect(JSON.parse(JSON.stringify(built.paths))).toEqual(document.paths);
    expect(JSON.parse(JSON.stringify(built.components))).toEqual(document.components);
    const page = await api.get('/docs');
    expect(page.status).toBe(200);
    expect(page.text).toContain('/openapi.json');
    expect((await api.get('/docs/assets/swagger-ui-bundle.js')).status).toBe(200);
  });
});

function index(name: string): number {
  return Number(name.split('-')[1]);
}
