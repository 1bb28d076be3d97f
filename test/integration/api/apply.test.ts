// kubectl-style apply: many objects in one request, created or replaced by identity, all or nothing,
// with a dry run that shows the diff and writes nothing.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { rowsOf } from '../../../db/index.ts';
import type { ApiClient } from '../../support/api-client.ts';
import type { TestControlPlane } from '../../support/control-plane.ts';
import { startWithTenantCluster } from '../../support/tenant-with-cluster.ts';

const stream = (port: number) => `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{ports: [{port: ${port}}]}]
---
`;

describe('POST /v1/apply', () => {
  let control: TestControlPlane;
  let api: ApiClient;
  let key: string;
  let clusterId: string;

  const apply = (body: string, dryRun = false) =>
    api.post(`/v1/apply?cluster=${clusterId}${dryRun ? '&dryRun=true' : ''}`, { key, raw: body, contentType: 'application/yaml' });
  const policyCount = async () =>
    rowsOf<{ n: number }>(await control.plane.database.db.execute(sql`select count(*)::int as n from policies where cluster_id = ${clusterId}`))[0]!.n;

  beforeAll(async () => {
    ({ control, api, key, clusterId } = await startWithTenantCluster('postgres'));
  });
  afterAll(() => control?.stop());

  it('shows in a dry run what would be created, and writes nothing', async () => {
    const dry = await apply(stream(80), true);
    expect(dry.status).toBe(200);
    expect(dry.body.results.map((result: { name: string; action: string }) => [result.name, result.action])).toEqual([
      ['deny-all', 'created'],
      ['allow-web', 'created'],
    ]);
    expect(await policyCount()).toBe(0);
  });

  it('creates, then reports unchanged, then configures with the before and after', async () => {
    expect((await apply(stream(80))).body.results.map((result: { action: string }) => result.action)).toEqual(['created', 'created']);
    expect((await apply(stream(80))).body.results.map((result: { action: string }) => result.action)).toEqual(['unchanged', 'unchanged']);
    const changed = await apply(stream(8080), true);
    expect(changed.body.results[1]).toMatchObject({ name: 'allow-web', action: 'configured' });
    expect(changed.body.results[1].before.spec.ingress[0].ports[0].port).toBe(80);
    expect(changed.body.results[1].after.spec.ingress[0].ports[0].port).toBe(8080);
    const applied = await apply(stream(8080));
    expect(applied.body.results.map((result: { action: string }) => result.action)).toEqual(['unchanged', 'configured']);
    const read = await api.get(`/v1/policies/${applied.body.results[1].id}`, { key });
    expect(read.body.manifest.spec.ingress[0].ports[0].port).toBe(8080);
  });

  it('writes nothing when any one object is invalid, and names it by its position', async () => {
    const before = await policyCount();
    const bad = `${stream(80)}apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: broken, namespace: shop}
spec: {podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/99}}]}]}
`;
    const response = await apply(bad);
    expect(response.status).toBe(422);
    expect(response.body.errors.map((error: { path: string }) => error.path)).toEqual(['2.spec.ingress.0.from.0.ipBlock.cidr']);
    expect(await policyCount()).toBe(before);
    const duplicated = await apply(`${stream(80)}${stream(81)}`);
    expect(duplicated.status).toBe(422);
    expect(duplicated.body.errors[0].path).toBe('2.metadata.name');
  });

  it('serves a policy as YAML when asked, and that YAML applies back unchanged', async () => {
    const listed = await api.get(`/v1/clusters/${clusterId}/policies?name=allow-web`, { key });
    const yaml = await api.get(`/v1/policies/${listed.body.items[0].id}`, { key, headers: { accept: 'application/yaml' } });
    expect(yaml.headers.get('content-type')).toBe('application/yaml');
    expect(parse(yaml.text)).toEqual(listed.body.items[0].manifest);
    expect((await apply(yaml.text)).body.results[0].action).toBe('unchanged');
  });
});
