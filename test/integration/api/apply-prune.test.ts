// Apply with prune (POST /v1/apply?prune=true&pruneAnnotation=...): the objects the body holds are
// written and the cluster's marked objects it no longer holds are deleted, in one transaction; a
// refusal leaves both undone; objects without the marker are never pruned; a dry run lists the deletions.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ApiClient, apiClient, createCluster, createPolicy, networkPolicy, signUp } from '../../support/api-client.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';

const MARKER = 'palisade.dev/applied-by=cli';
const marked = (name: string, port = 80) => ({
  ...networkPolicy(name, 'shop', { podSelector: { matchLabels: { app: name } }, ingress: [{ ports: [{ port }] }] }),
  metadata: { name, namespace: 'shop', annotations: { 'palisade.dev/applied-by': 'cli' } },
});
const tier = (name: string) => ({
  apiVersion: 'projectcalico.org/v3',
  kind: 'Tier',
  metadata: { name, annotations: { 'palisade.dev/applied-by': 'cli' } },
  spec: { order: 100 },
});
const tiered = (name: string, tierName: string) => ({
  apiVersion: 'projectcalico.org/v3',
  kind: 'GlobalNetworkPolicy',
  metadata: { name: `${tierName}.${name}`, annotations: { 'palisade.dev/applied-by': 'cli' } },
  spec: { tier: tierName, order: 1, selector: 'all()', types: ['Ingress'], ingress: [{ action: 'Deny' }] },
});

type Result = { kind: string; name: string; action: string; before: unknown; after: unknown };

describe('apply with prune', () => {
  let control: TestControlPlane;
  let api: ApiClient;
  let key: string;

  const apply = (clusterId: string, body: unknown[], query = `prune=true&pruneAnnotation=${encodeURIComponent(MARKER)}`) =>
    api.post(`/v1/apply?cluster=${clusterId}&${query}`, { key, body });
  const names = async (clusterId: string) => {
    const listed = await api.get(`/v1/clusters/${clusterId}/policies`, { key });
    return (listed.body.items as { name: string }[]).map((item) => item.name).sort();
  };
  const actions = (results: Result[]) => results.map((result) => `${result.name} ${result.action}`);

  beforeAll(async () => {
    control = await startTestControlPlane('postgres');
    api = apiClient(control.url);
  });
  // A tenant per case: the free plan's cluster limit would otherwise end the file early.
  beforeEach(async () => {
    ({ key } = await signUp(api));
  });
  afterAll(() => control?.stop());

  it('writes the body and deletes the marked objects it no longer holds, in one request', async () => {
    const clusterId = (await createCluster(api, key)).id;
    expect((await apply(clusterId, [marked('a'), marked('b'), marked('c')])).status).toBe(200);

    const response = await apply(clusterId, [marked('a'), marked('b', 8080)]);
    expect(response.status).toBe(200);
    expect(actions(response.body.results)).toEqual(['a unchanged', 'b configured', 'c pruned']);
    const pruned = response.body.results[2];
    expect(pruned.after).toBeNull();
    expect(pruned.before.metadata.name).toBe('c');
    expect(await names(clusterId)).toEqual(['a', 'b']);
    expect((await api.get(`/v1/policies/${pruned.id}`, { key })).status).toBe(404);
  });

  it('shows the deletions in a dry run and deletes nothing', async () => {
    const clusterId = (await createCluster(api, key)).id;
    await apply(clusterId, [marked('a'), marked('b')]);
    const dry = await apply(clusterId, [marked('a')], `prune=true&dryRun=true&pruneAnnotation=${encodeURIComponent(MARKER)}`);
    expect(dry.status).toBe(200);
    expect(dry.body.dryRun).toBe(true);
    expect(actions(dry.body.results)).toEqual(['a unchanged', 'b pruned']);
    expect(await names(clusterId)).toEqual(['a', 'b']);
  });

  it('applies nothing and prunes nothing when one document is refused', async () => {
    const clusterId = (await createCluster(api, key)).id;
    await apply(clusterId, [marked('a'), marked('b')]);
    const broken = { ...marked('broken'), spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/99' } }] }] } };
    const response = await apply(clusterId, [marked('a', 9090), broken]);
    expect(response.status).toBe(422);
    expect(response.body.errors.map((error: { path: string }) => error.path)).toEqual(['1.spec.ingress.0.from.0.ipBlock.cidr']);
    expect(await names(clusterId)).toEqual(['a', 'b']);
    const [a] = (await api.get(`/v1/clusters/${clusterId}/policies?name=a`, { key })).body.items;
    expect(a.manifest.spec.ingress[0].ports[0].port).toBe(80);
  });

  it('never prunes objects without the marker, nor those of another cluster', async () => {
    const clusterId = (await createCluster(api, key)).id;
    const otherClusterId = (await createCluster(api, key)).id;
    await createPolicy(api, key, clusterId, networkPolicy('from-the-console', 'shop'));
    const elsewhere = { ...marked('x'), metadata: { name: 'x', namespace: 'shop', annotations: { 'palisade.dev/applied-by': 'terraform' } } };
    await api.post(`/v1/clusters/${clusterId}/policies`, { key, body: elsewhere });
    await apply(otherClusterId, [marked('other')]);
    await apply(clusterId, [marked('a')]);

    const response = await apply(clusterId, [marked('b')]);
    expect(actions(response.body.results)).toEqual(['b created', 'a pruned']);
    expect(await names(clusterId)).toEqual(['b', 'from-the-console', 'x']);
    expect(await names(otherClusterId)).toEqual(['other']);
  });

  it('prunes a tier together with the policies in it, listing the tier last', async () => {
    const clusterId = (await createCluster(api, key)).id;
    await apply(clusterId, [tier('security'), tiered('quarantine', 'security'), marked('a')]);
    const response = await apply(clusterId, [marked('a')]);
    expect(response.status).toBe(200);
    expect(actions(response.body.results)).toEqual(['a unchanged', 'security.quarantine pruned', 'security pruned']);
    expect(await names(clusterId)).toEqual(['a']);
  });

  it('refuses prune without a marker, or with a malformed one, naming the parameter and writing nothing', async () => {
    const clusterId = (await createCluster(api, key)).id;
    await apply(clusterId, [marked('a')]);
    const missing = await apply(clusterId, [marked('b')], 'prune=true');
    expect(missing.status).toBe(422);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    expect(missing.body.errors[0].path).toBe('query.pruneAnnotation');
    const malformed = await apply(clusterId, [marked('b')], 'prune=true&pruneAnnotation=no-value');
    expect(malformed.status).toBe(422);
    expect(malformed.body.errors[0]).toMatchObject({ path: 'query.pruneAnnotation', message: expect.stringContaining('key=value') });
    expect(await names(clusterId)).toEqual(['a']);
  });

  it('refuses to prune with an empty body, which would delete every marked object', async () => {
    const clusterId = (await createCluster(api, key)).id;
    await apply(clusterId, [marked('a')]);
    const empty = await apply(clusterId, []);
    expect(empty.status).toBe(422);
    expect(empty.body.errors[0].message).toContain('at least one object');
    expect(await names(clusterId)).toEqual(['a']);
  });
});
