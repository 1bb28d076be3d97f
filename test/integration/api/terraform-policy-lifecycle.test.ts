// The call sequence a Terraform provider makes on a policy resource: create, read, refresh (no drift),
// update with If-Match, a stale If-Match refused, import by id, delete, read 404, delete again. Reads
// return the manifest exactly as written (a provider reports any difference as an inconsistent result
// after apply), with the defaulted form beside it.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type ApiClient, networkPolicy } from '../../support/api-client.ts';
import type { TestControlPlane } from '../../support/control-plane.ts';
import { startWithTenantCluster } from '../../support/tenant-with-cluster.ts';

describe('a Terraform provider managing a policy', () => {
  let control: TestControlPlane;
  let api: ApiClient;
  let key: string;
  let clusterId: string;

  beforeAll(async () => {
    ({ control, api, key, clusterId } = await startWithTenantCluster('postgres'));
  });
  afterAll(() => control?.stop());

  it('creates, reads without drift, updates with If-Match, imports, deletes, and deletes again', async () => {
    const manifest = networkPolicy('allow-web', 'shop', {
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'edge' } } }], ports: [{ port: 443 }] }],
    });
    const created = await api.post(`/v1/clusters/${clusterId}/policies`, { key, body: manifest });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const createdEtag = created.headers.get('etag');
    expect(createdEtag).toBeTruthy();
    // Read back as written: no policyTypes, no port protocol. The defaults, as the Kubernetes API
    // server applies them (protocol TCP, policyTypes [Ingress]), are in manifestWithDefaults.
    expect(created.body.manifest).toEqual(manifest);
    expect(created.body.manifest.spec.policyTypes).toBeUndefined();
    expect(created.body.manifestWithDefaults.spec.ingress[0].ports[0]).toEqual({ port: 443, protocol: 'TCP' });
    expect(created.body.manifestWithDefaults.spec.policyTypes).toEqual(['Ingress']);

    const read = await api.get(`/v1/policies/${id}`, { key });
    const reread = await api.get(`/v1/policies/${id}`, { key });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
    expect(reread.text).toBe(read.text);
    expect(read.headers.get('etag')).toBe(createdEtag);
    expect(reread.headers.get('etag')).toBe(createdEtag);

    // Re-applying what GET returned changes nothing but the version.
    const reapplied = await api.put(`/v1/policies/${id}`, { key, body: read.body.manifest, headers: { 'if-match': createdEtag! } });
    expect(reapplied.status).toBe(200);
    expect(reapplied.body.manifest).toEqual(read.body.manifest);
    expect(reapplied.body.manifest).toEqual(manifest);
    const afterReapply = reapplied.headers.get('etag')!;
    expect(afterReapply).not.toBe(createdEtag);

    const changed = structuredClone(read.body.manifest);
    changed.spec.ingress[0].ports[0].port = 8443;
    const updated = await api.put(`/v1/policies/${id}`, { key, body: changed, headers: { 'if-match': afterReapply } });
    expect(updated.status).toBe(200);
    expect(updated.body.manifest).toEqual(changed);

    const stale = await api.put(`/v1/policies/${id}`, { key, body: read.body.manifest, headers: { 'if-match': createdEtag! } });
    expect(stale.status).toBe(412);
    expect(stale.body.code).toBe('PRECONDITION_FAILED');
    expect((await api.get(`/v1/policies/${id}`, { key })).body.manifest.spec.ingress[0].ports[0].port).toBe(8443);

    // `terraform import palisade_policy.web <id>` reads by id alone.
    const imported = await api.get(`/v1/policies/${id}`, { key });
    expect(imported.body).toEqual(updated.body);
    expect(imported.headers.get('etag')).toBe(updated.headers.get('etag'));

    expect((await api.delete(`/v1/policies/${id}`, { key })).status).toBe(204);
    const gone = await api.get(`/v1/policies/${id}`, { key });
    expect(gone.status).toBe(404);
    expect(gone.headers.get('content-type')).toBe('application/problem+json');
    expect((await api.delete(`/v1/policies/${id}`, { key })).status).toBe(204);
  });

  it('accepts the same policy as YAML and reads it back as written, server-set metadata left out', async () => {
    const yaml = [
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata:',
      '  name: yaml-web',
      '  namespace: shop',
      '  resourceVersion: "12345"', // pasted from kubectl get -o yaml: accepted and dropped
      'spec:',
      '  podSelector:',
      '    matchLabels: {app: web}',
      '  egress:',
      '  - to:',
      '    - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}',
    ].join('\n');
    const created = await api.post(`/v1/clusters/${clusterId}/policies`, { key, raw: yaml, contentType: 'application/yaml' });
    expect(created.status).toBe(201);
    expect(created.body.manifest).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'yaml-web', namespace: 'shop' },
      spec: { podSelector: { matchLabels: { app: 'web' } }, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }] },
    });
    expect(created.body.manifestWithDefaults.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    const read = await api.get(`/v1/policies/${created.body.id}`, { key });
    expect(read.body).toEqual(created.body);
    const asYaml = await api.get(`/v1/policies/${created.body.id}`, { key, headers: { accept: 'application/yaml' } });
    expect(parse(asYaml.text)).toEqual(created.body.manifest);
  });

  it('reads a policy stored before written manifests were kept as its defaulted form, until it is written again', async () => {
    const manifest = networkPolicy('from-before', 'shop', { podSelector: {}, ingress: [{ ports: [{ port: 53 }] }] });
    const created = await api.post(`/v1/clusters/${clusterId}/policies`, { key, body: manifest });
    await control.plane.database.db.execute(sql`update policies set written_manifest = null where id = ${created.body.id}`);
    const legacy = await api.get(`/v1/policies/${created.body.id}`, { key });
    expect(legacy.body.manifest).toEqual(created.body.manifestWithDefaults);
    const rewritten = await api.put(`/v1/policies/${created.body.id}`, { key, body: manifest });
    expect(rewritten.status).toBe(200);
    expect((await api.get(`/v1/policies/${created.body.id}`, { key })).body.manifest).toEqual(manifest);
  });

  it('refuses a second object with the same kind, namespace and name, and renames through PUT', async () => {
    const first = await api.post(`/v1/clusters/${clusterId}/policies`, { key, body: networkPolicy('twin', 'shop') });
    expect(first.status).toBe(201);
    const second = await api.post(`/v1/clusters/${clusterId}/policies`, { key, body: networkPolicy('twin', 'shop') });
    expect(second.status).toBe(409);
    const renamed = await api.put(`/v1/policies/${first.body.id}`, { key, body: networkPolicy('other', 'shop') });
    expect(renamed.status).toBe(422);
    expect(renamed.body.errors).toContainEqual({ path: 'metadata.name', message: 'is immutable (was twin)' });
  });
});
