// A write reads what its checks need, not the whole cluster (issue 10): in a cluster holding much
// policy and no reported inventory, one small write reads the cluster's tiers for its tier check, not
// every stored object's IR, which at 1.6 MB held the API's event loop for every write of the tenant
// and every other tenant's requests behind it. Counted as the JSON the API process parses during the
// write (postgres.js parses jsonb with JSON.parse), beside the size of the IR stored in the cluster.
// The API alone runs here: bundle builds, which do read everything, run in a worker elsewhere.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rowsOf } from '../../../db/index.ts';
import { type ApiClient, apiClient, createCluster, signUp } from '../../support/api-client.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';

const STORED = 40;
const RULES = 50;

/** A NetworkPolicy of `rules` ingress rules, one /32 peer and one port each. */
function policyOf(name: string, rules: number, tier?: string) {
  return {
    apiVersion: tier ? 'projectcalico.org/v3' : 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: 'shop' },
    spec: tier
      ? { tier, order: 10, selector: "app == 'web'", types: ['Ingress'], ingress: [{ action: 'Allow', source: { nets: ['198.18.0.1/32'] } }] }
      : {
          podSelector: { matchLabels: { app: 'web' } },
          ingress: Array.from({ length: rules }, (_, index) => ({
            from: [{ ipBlock: { cidr: `198.18.${index >> 8}.${index & 255}/32` } }],
            ports: [{ protocol: 'TCP', port: 1000 + index }],
          })),
        },
  };
}

describe('a write in a cluster holding much policy', () => {
  let control: TestControlPlane<'api'>;
  let api: ApiClient;
  let key: string;
  let clusterId: string;

  const apply = (documents: unknown[]) =>
    api.post(`/v1/apply?cluster=${clusterId}`, {
      key,
      raw: documents.map((document) => JSON.stringify(document)).join('\n---\n'),
      contentType: 'application/yaml',
    });

  /** Characters of JSON the process parses while `work` runs. */
  async function jsonParsedDuring(work: () => Promise<unknown>): Promise<number> {
    let characters = 0;
    const parse = JSON.parse;
    const spy = vi.spyOn(JSON, 'parse').mockImplementation((text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
      characters += text.length;
      return parse(text, reviver);
    });
    try {
      await work();
    } finally {
      spy.mockRestore();
    }
    return characters;
  }

  beforeAll(async () => {
    control = await startTestControlPlane('postgres', {}, { role: 'api' });
    api = apiClient(control.url);
    ({ key } = await signUp(api));
    clusterId = (await createCluster(api, key)).id;
    const tier = { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'security' }, spec: { order: 100 } };
    const stored = await apply([tier, ...Array.from({ length: STORED }, (_, index) => policyOf(`stored-${index}`, RULES))]);
    expect(stored.status).toBe(200);
  }, 60_000);
  afterAll(() => control?.stop());

  it("reads the cluster's tiers, not every stored object's IR", async () => {
    const [{ irCharacters }] = rowsOf<{ irCharacters: number }>(
      await control.plane.database.db.execute(sql`select sum(length(resource::text))::int as "irCharacters" from policies where cluster_id = ${clusterId}`),
    ) as [{ irCharacters: number }];
    // A policy in the Tier object's tier: the tier check still finds the tier among the stored objects.
    let status = 0;
    const parsed = await jsonParsedDuring(async () => {
      status = (await apply([policyOf('security.in-security', 1, 'security')])).status;
    });
    expect(status).toBe(200);
    expect(parsed).toBeLessThan(irCharacters / 10);
  });

  it('still refuses a policy naming a tier that is not there', async () => {
    const refused = await apply([policyOf('nowhere.in-nowhere', 1, 'nowhere')]);
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('spec.tier');
  });
});
