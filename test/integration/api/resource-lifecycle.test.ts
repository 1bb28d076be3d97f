// Every resource type the API has, through the calls a Terraform provider makes: create, read by the
// id `terraform import` gives, read equals written, replace whole with PUT (where the resource can
// change) and read equals the replacement, delete, and read 404. One table entry per resource type:
// a new resource joins by adding its entry here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KIND_EXAMPLES } from '../../../policy/kinds/examples.ts';
import { type ApiClient, apiClient, createCluster, signUp, unique } from '../../support/api-client.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';

type Body = Record<string, any>;

interface Tenant {
  api: ApiClient;
  key: string;
  /** A cluster for the resources that live in one. */
  clusterId: string;
}

interface ResourceLifecycle {
  resource: string;
  /** POST path and body; absent for a resource that exists with the tenant (a singleton). */
  create?: {
    path: (tenant: Tenant) => string;
    body: Body;
    /** The resource in the answer, when the answer wraps it with more (an invite beside its token). */
    resourceOf?: (answer: Body) => Body;
    /**
     * The calls after the POST that make the resource (accepting an invite makes a member), answering
     * part of it: the import read holds these fields and more.
     */
    complete?: (tenant: Tenant, answer: Body) => Promise<Body>;
  };
  /** The path `terraform import <id>` reads, from what create answered. */
  importPath: (tenant: Tenant, created: Body) => string;
  /** The fields the caller writes, picked out of a read. */
  written: (read: Body) => Body;
  /** PUT body that replaces every written field; absent for immutable resources (credentials). */
  replace?: { path?: (tenant: Tenant, created: Body) => string; body: Body };
  /** Whether DELETE on the import path removes it (a singleton cannot be deleted). */
  deletable: boolean;
  /** Query the DELETE carries to remove the resource at once. */
  deleteQuery?: string;
}

const pick = (body: Body, fields: readonly string[]) => Object.fromEntries(fields.map((field) => [field, body[field]]));

/** A policy kind's example, as created (an annotation) and as replaced (a label instead: PUT is whole). */
function policyLifecycle(example: Body): ResourceLifecycle {
  // The Tier example is renamed: a Tier named like it is set up beforehand for the kinds that use it.
  const metadata = example.kind === 'Tier' ? { ...example.metadata, name: 'lifecycle' } : example.metadata;
  return {
    resource: `policy ${example.apiVersion} ${example.kind}`,
    create: {
      path: (tenant) => `/v1/clusters/${tenant.clusterId}/policies`,
      body: { ...example, metadata: { ...metadata, annotations: { 'example.com/stage': 'created' } } },
    },
    importPath: (_tenant, created) => `/v1/policies/${created.id}`,
    written: (read) => read.manifest,
    replace: { body: { ...example, metadata: { ...metadata, labels: { stage: 'replaced' } } } },
    deletable: true,
  };
}

const LIFECYCLES: readonly ResourceLifecycle[] = [
  {
    resource: 'cluster',
    create: { path: () => '/v1/clusters', body: { name: 'lifecycle', provider: 'eks' } },
    importPath: (_tenant, created) => `/v1/clusters/${created.id}`,
    written: (read) => pick(read, ['name', 'provider']),
    replace: { body: { name: 'lifecycle-renamed', provider: 'kind' } },
    deletable: true,
  },
  {
    resource: "cluster's AWS settings",
    create: {
      path: () => '/v1/clusters',
      body: { name: 'lifecycle-eks', provider: 'eks', aws: { region: 'eu-west-1', clusterName: 'prod', roleArn: 'arn:aws:iam::123456789012:role/palisade' } },
    },
    importPath: (_tenant, created) => `/v1/clusters/${created.id}`,
    written: (read) => pick(read, ['name', 'provider', 'aws']),
    replace: {
      body: {
        name: 'lifecycle-eks',
        provider: 'eks',
        aws: { region: 'us-east-2', clusterName: 'prod_2', roleArn: 'arn:aws:iam::210987654321:role/palisade-onboarding' },
      },
    },
    deletable: true,
    // A plain DELETE offboards through the tenant's role, as a job (eks-offboarding.test.ts, against
    // the AWS stand-in); with no AWS to reach here, force removes the cluster at once and leaves the
    // AWS side to the tenant, which is what an import-and-destroy would do.
    deleteQuery: '?force=true',
  },
  ...KIND_EXAMPLES.map(policyLifecycle),
  {
    resource: 'invite',
    create: { path: () => '/v1/invites', body: { email: 'invited@example.com', role: 'editor' }, resourceOf: (answer) => answer.invite },
    importPath: (_tenant, created) => `/v1/invites/${created.id}`,
    written: (read) => pick(read, ['email', 'role']),
    deletable: true,
  },
  {
    resource: 'member (through an accepted invite)',
    create: {
      path: () => '/v1/invites',
      body: { email: 'member@example.com', role: 'viewer' },
      async complete(tenant, answer) {
        const accepted = await tenant.api.post('/v1/invites/accept', { body: { token: answer.token, password: 'correct horse battery' } });
        expect(accepted.status).toBe(201);
        // The invite is used up: it reads as gone.
        expect((await tenant.api.get(`/v1/invites/${answer.invite.id}`, { key: tenant.key })).status).toBe(404);
        return accepted.body.member;
      },
    },
    importPath: (_tenant, created) => `/v1/members/${created.id}`,
    written: (read) => pick(read, ['email', 'role']),
    deletable: true,
  },
  {
    resource: 'API key',
    create: { path: () => '/v1/api-keys', body: { name: 'ci', role: 'viewer' } },
    importPath: (_tenant, created) => `/v1/api-keys/${created.id}`,
    written: (read) => pick(read, ['name', 'role']),
    deletable: true,
  },
  {
    resource: 'agent token',
    create: { path: (tenant) => `/v1/clusters/${tenant.clusterId}/agent-tokens`, body: { name: 'daemonset' } },
    importPath: (tenant, created) => `/v1/clusters/${tenant.clusterId}/agent-tokens/${created.id}`,
    written: (read) => pick(read, ['name']),
    deletable: true,
  },
  {
    resource: 'tenant plan',
    importPath: () => '/v1/tenant',
    written: (read) => pick(read, ['plan']),
    replace: { path: () => '/v1/tenant/plan', body: { plan: 'team' } },
    deletable: false,
  },
];

/** Fields only a create answer carries: the secret of a credential, shown once. */
const SHOWN_ONCE = ['key', 'token'];
const withoutSecrets = (body: Body) => Object.fromEntries(Object.entries(body).filter(([field]) => !SHOWN_ONCE.includes(field)));

describe('the lifecycle of every resource type', () => {
  let control: TestControlPlane;
  let tenant: Tenant;

  beforeAll(async () => {
    control = await startTestControlPlane('postgres');
    const api = apiClient(control.url);
    const { key } = await signUp(api);
    tenant = { api, key, clusterId: (await createCluster(api, key, unique('home'))).id };
    // The Calico examples name the tier `security`: it must exist before they are written.
    const securityTier = KIND_EXAMPLES.find((example) => example.kind === 'Tier')!;
    expect((await api.post(`/v1/clusters/${tenant.clusterId}/policies`, { key, body: securityTier })).status).toBe(201);
  });
  afterAll(() => control?.stop());

  it('covers every policy kind the API accepts', () => {
    expect(LIFECYCLES.filter((lifecycle) => lifecycle.resource.startsWith('policy '))).toHaveLength(KIND_EXAMPLES.length);
  });

  it.each(LIFECYCLES.map((lifecycle) => [lifecycle.resource, lifecycle] as const))('%s', async (_name, lifecycle) => {
    const { api, key } = tenant;
    let created: Body = {};
    if (lifecycle.create) {
      const response = await api.post(lifecycle.create.path(tenant), { key, body: lifecycle.create.body });
      expect(response.status).toBe(201);
      created = lifecycle.create.complete
        ? await lifecycle.create.complete(tenant, response.body)
        : (lifecycle.create.resourceOf?.(response.body) ?? response.body);
      expect(lifecycle.written(created)).toEqual(lifecycle.create.body);
    }
    const path = lifecycle.importPath(tenant, created);

    const imported = await api.get(path, { key });
    expect(imported.status).toBe(200);
    if (lifecycle.create) {
      expect(imported.body).toEqual(lifecycle.create.complete ? expect.objectContaining(created) : withoutSecrets(created));
      expect(lifecycle.written(imported.body)).toEqual(lifecycle.create.body);
    }

    if (lifecycle.replace) {
      const etag = imported.headers.get('etag');
      const replacePath = lifecycle.replace.path?.(tenant, created) ?? path;
      const replaced = await api.put(replacePath, { key, body: lifecycle.replace.body, headers: etag ? { 'if-match': etag } : {} });
      expect(replaced.status).toBe(200);
      const reread = await api.get(path, { key });
      expect(lifecycle.written(reread.body)).toEqual(lifecycle.replace.body);
      expect(lifecycle.written(reread.body)).not.toEqual(lifecycle.written(imported.body));
    }

    if (lifecycle.deletable) {
      const deletePath = `${path}${lifecycle.deleteQuery ?? ''}`;
      expect((await api.delete(deletePath, { key })).status).toBe(204);
      expect((await api.get(path, { key })).status).toBe(404);
      expect((await api.delete(deletePath, { key })).status).toBe(204);
    }
  });
});
