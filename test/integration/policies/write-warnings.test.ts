// Writes answer with warnings for what they accepted but read differently from how it is written: a
// Calico net with host bits (Calico's docs write `nets: ["1.2.3.4/16"]`) is stored as written and
// enforced as its network, and create, replace and apply (dry run too) say so with the field's path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../support/api-client.ts';
import type { TestControlPlane } from '../../support/control-plane.ts';
import { startWithTenantCluster } from '../../support/tenant-with-cluster.ts';

const calicoPolicy = (nets: string[]) => ({
  apiVersion: 'projectcalico.org/v3',
  kind: 'GlobalNetworkPolicy',
  metadata: { name: 'deny-range' },
  spec: { selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny', destination: { nets } }, { action: 'Allow' }] },
});
const HOST_BITS = '"1.2.3.4/16" has bits set after the prefix length: read as the network 1.2.0.0/16';

describe('write warnings', () => {
  let control: TestControlPlane;
  let api: ApiClient;
  let key: string;
  let clusterId: string;

  beforeAll(async () => {
    ({ control, api, key, clusterId } = await startWithTenantCluster('pglite'));
  });
  afterAll(() => control?.stop());

  it('create accepts host bits, stores the net as written and warns at its path', async () => {
    const created = await api.post(`/v1/clusters/${clusterId}/policies`, { key, body: calicoPolicy(['1.2.3.4/16']) });
    expect(created.status).toBe(201);
    expect(created.body.warnings).toEqual([{ path: 'spec.egress.0.destination.nets.0', message: HOST_BITS }]);
    expect(created.body.manifest.spec.egress[0].destination.nets).toEqual(['1.2.3.4/16']);

    const read = await api.get(`/v1/policies/${created.body.id}`, { key });
    expect(read.status).toBe(200);
    expect(read.body).not.toHaveProperty('warnings');

    const replaced = await api.put(`/v1/policies/${created.body.id}`, { key, body: calicoPolicy(['1.2.0.0/16']) });
    expect(replaced.status).toBe(200);
    expect(replaced.body).not.toHaveProperty('warnings');
  });

  it('apply warns with the document index leading the path, in a dry run too', async () => {
    const other = { ...calicoPolicy(['10.0.0.0/8']), metadata: { name: 'other' } };
    for (const dryRun of [true, false]) {
      const applied = await api.post(`/v1/apply?cluster=${clusterId}&dryRun=${dryRun}`, { key, body: [other, calicoPolicy(['1.2.3.4/16'])] });
      expect(applied.status).toBe(200);
      expect(applied.body.warnings).toEqual([{ path: '1.spec.egress.0.destination.nets.0', message: HOST_BITS }]);
    }
  });

  it('a net that is not a CIDR is still refused with 422 and its path, and nothing is written', async () => {
    const refused = await api.post(`/v1/clusters/${clusterId}/policies`, { key, body: { ...calicoPolicy(['1.2.3.4/33']), metadata: { name: 'bad' } } });
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0].path).toBe('spec.egress.0.destination.nets.0');
    const list = await api.get(`/v1/clusters/${clusterId}/policies`, { key });
    expect(list.body.items.map((p: { name: string }) => p.name)).not.toContain('bad');
  });
});
