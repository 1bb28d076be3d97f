// A stand-in for an EKS cluster's Kubernetes API server, on loopback, for the agent install and
// removal EKS onboarding and offboarding make. It is not Kubernetes: it speaks the REST paths and
// JSON of the kinds palisade installs (core /api/v1 and /apis/{group}/{version}, namespaced and
// cluster-scoped), answers as the real one does (201 Created, 409 AlreadyExists, 404 NotFound,
// 422 Invalid, 401, 403, all as v1 Status objects), and checks what a real EKS cluster checks:
//   - authentication: the bearer token is `k8s-aws-v1.` + base64url of a presigned STS
//     GetCallerIdentity URL with X-Amz-Signature and `x-k8s-aws-id` among its signed headers; it is
//     verified as EKS's authenticator does, by having STS (the AWS stand-in) check the presigned
//     request with `x-k8s-aws-id` set to THIS cluster's name, so a token for another cluster fails;
//   - authorization: the identity must hold an access entry with an access policy on this cluster
//     (the AWS stand-in's access entries), or be mapped in aws-auth (`awsAuthRoles`): no mapping is
//     401, a mapping without a policy is 403;
//   - admission: every object created or replaced must pass the Kubernetes schema and the API
//     server's cross-field rules (kubernetes-schema.ts, kubernetes-rules.ts), else 422 Invalid.
// Plain http: only a stand-in may be (a real EKS endpoint is https with the cluster's CA).
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AwsStandIn } from './aws-stand-in.ts';
import { apiServerRuleIssues } from './kubernetes-rules.ts';
import { schemaIssues } from './kubernetes-schema.ts';

type Json = Record<string, unknown>;
interface StoredObject extends Json {
  kind: string;
  apiVersion: string;
  metadata: { name: string; namespace?: string; uid: string; resourceVersion: string; [field: string]: unknown };
}

const TOKEN_PREFIX = 'k8s-aws-v1.';
/** Kinds by plural and group-version, and whether they live in a namespace. */
const RESOURCES: Record<string, { kind: string; apiVersion: string; namespaced: boolean }> = {
  'v1/namespaces': { kind: 'Namespace', apiVersion: 'v1', namespaced: false },
  'v1/serviceaccounts': { kind: 'ServiceAccount', apiVersion: 'v1', namespaced: true },
  'v1/secrets': { kind: 'Secret', apiVersion: 'v1', namespaced: true },
  'v1/configmaps': { kind: 'ConfigMap', apiVersion: 'v1', namespaced: true },
  'rbac.authorization.k8s.io/v1/clusterroles': { kind: 'ClusterRole', apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: false },
  'rbac.authorization.k8s.io/v1/clusterrolebindings': { kind: 'ClusterRoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: false },
  'apps/v1/daemonsets': { kind: 'DaemonSet', apiVersion: 'apps/v1', namespaced: true },
};

interface Target {
  groupVersion: string;
  plural: string;
  namespace: string | undefined;
  name: string | undefined;
}

/** /api/v1[/namespaces/{ns}]/{plural}[/{name}] and /apis/{group}/{version}[/namespaces/{ns}]/{plural}[/{name}]. */
function parsePath(pathname: string): Target | undefined {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let groupVersion: string;
  let rest: string[];
  if (parts[0] === 'api' && parts[1] === 'v1') [groupVersion, rest] = ['v1', parts.slice(2)];
  else if (parts[0] === 'apis' && parts.length >= 3) [groupVersion, rest] = [`${parts[1]}/${parts[2]}`, parts.slice(3)];
  else return undefined;
  let namespace: string | undefined;
  // /api/v1/namespaces/{name} is the namespace itself; /namespaces/{ns}/{plural}... is inside it.
  if (rest[0] === 'namespaces' && rest.length >= 3) [namespace, rest] = [rest[1], rest.slice(2)];
  if (rest.length < 1 || rest.length > 2) return undefined;
  return { groupVersion, plural: rest[0]!, namespace, name: rest[1] };
}

export class KubernetesStandIn {
  private server!: Server;
  private resourceVersion = 1;
  /** Stored objects by `groupVersion/plural/namespace/name`. */
  readonly objects = new Map<string, StoredObject>();
  /** Each request: method, path, and the identity its token verified as (undefined: it did not). */
  readonly requests: { method: string; path: string; identity: string | undefined; status: number }[] = [];
  /** Roles mapped in aws-auth (a CONFIG_MAP cluster), to a group bound to cluster-admin. */
  readonly awsAuthRoles = new Set<string>();
  /** `verb plural` (`create clusterrolebindings`) refused with 403 even to an admin, as RBAC or a webhook would. */
  readonly forbidden = new Set<string>();
  /** Answer this many of the next requests with 503, as an overloaded API server does. */
  unavailable = 0;
  /** `verb plural` requests left unanswered until their hold is released (see hold()). */
  private readonly holds = new Map<string, { arrive: () => void; released: Promise<void> }>();
  url = '';

  constructor(
    private readonly aws: AwsStandIn,
    /** The EKS cluster this API server belongs to: the name its tokens must carry in x-k8s-aws-id. */
    readonly clusterName: string,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.status(res, 500, 'InternalError', String(error));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /**
   * Holds every `verb plural` request (`create secrets`) before it is carried out, until released: a
   * job caught there is deterministically mid-flight, so a test can kill its worker at that point.
   * `arrived` settles when the first such request comes in; a released request is then carried out,
   * as a real API server does with a request whose client has gone.
   */
  hold(request: string): { arrived: Promise<void>; release: () => void } {
    let arrive!: () => void;
    let release!: () => void;
    const arrived = new Promise<void>((resolve) => (arrive = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.holds.set(request, { arrive, released });
    return {
      arrived,
      release: () => {
        this.holds.delete(request);
        release();
      },
    };
  }

  /** The stored objects of a kind, as the API server keeps them. */
  list(kind: string): StoredObject[] {
    return [...this.objects.values()].filter((object) => object.kind === kind);
  }

  /** The IAM role the bearer token proves, checked as EKS's aws-iam-authenticator does; undefined when it does not. */
  async authenticate(authorization: string | undefined): Promise<string | undefined> {
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    if (!token?.startsWith(TOKEN_PREFIX)) return undefined;
    let url: URL;
    try {
      url = new URL(Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    const params = url.searchParams;
    if (url.pathname !== '/' || params.get('Action') !== 'GetCallerIdentity' || !params.get('X-Amz-Signature')) return undefined;
    if (!(params.get('X-Amz-SignedHeaders') ?? '').split(';').includes('x-k8s-aws-id')) return undefined;
    // The authenticator sends the presigned request with ITS cluster's name: a token minted for
    // another cluster then fails STS's signature check.
    return this.aws.verifyPresigned(url, (name) => (name === 'x-k8s-aws-id' ? this.clusterName : name === 'host' ? url.host : ''));
  }

  /** 'admin' with an access entry holding a policy (or an aws-auth mapping), 'none' mapped to no permission, undefined unknown. */
  private authorize(roleArn: string): 'admin' | 'none' | undefined {
    if (this.awsAuthRoles.has(roleArn)) return 'admin';
    const entry = this.aws.accessEntries.get(this.clusterName)?.get(roleArn);
    if (!entry) return undefined;
    return entry.policies.size > 0 ? 'admin' : 'none';
  }

  private status(res: ServerResponse, code: number, reason: string, message: string, details?: Json): ServerResponse {
    return res
      .writeHead(code, { 'content-type': 'application/json' })
      .end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details && { details }), code }));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<ServerResponse> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', this.url);
    const identity = await this.authenticate(req.headers.authorization);
    const record = { method, path: url.pathname, identity, status: 0 };
    this.requests.push(record);
    const answer = (code: number, reason: string, message: string, details?: Json) => {
      record.status = code;
      return this.status(res, code, reason, message, details);
    };
    const ok = (code: number, body: unknown) => {
      record.status = code;
      return res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (!identity) return answer(401, 'Unauthorized', 'Unauthorized');
    const access = this.authorize(identity);
    if (!access) return answer(401, 'Unauthorized', 'Unauthorized');
    if (this.unavailable > 0) {
      this.unavailable--;
      return answer(503, 'ServiceUnavailable', 'the server is currently unable to handle the request');
    }
    const target = parsePath(url.pathname);
    const resource = target && RESOURCES[`${target.groupVersion}/${target.plural}`];
    if (!target || !resource) return answer(404, 'NotFound', 'the server could not find the requested resource');
    const verb = { POST: 'create', PUT: 'update', DELETE: 'delete', GET: 'get' }[method] ?? method.toLowerCase();
    const held = this.holds.get(`${verb} ${target.plural}`);
    if (held) {
      held.arrive();
      await held.released;
    }
    const user = `arn:aws:sts::123456789012:assumed-role/${identity.slice(identity.lastIndexOf('/') + 1)}`;
    if (access === 'none' || this.forbidden.has(`${verb} ${target.plural}`)) {
      return answer(
        403,
        'Forbidden',
        `${target.plural} is forbidden: User "${user}" cannot ${verb} resource "${target.plural}" in API group "${target.groupVersion.includes('/') ? target.groupVersion.split('/')[0] : ''}"${target.namespace ? ` in the namespace "${target.namespace}"` : ' at the cluster scope'}`,
        { kind: target.plural },
      );
    }
    if (resource.namespaced !== (target.namespace !== undefined)) return answer(404, 'NotFound', 'the server could not find the requested resource');
    const keyOf = (name: string) => `${target.groupVersion}/${target.plural}/${target.namespace ?? ''}/${name}`;
    const notFound = (name: string) => answer(404, 'NotFound', `${target.plural} "${name}" not found`, { name, kind: target.plural });

    if (method === 'GET' && target.name) {
      const stored = this.objects.get(keyOf(target.name));
      return stored ? ok(200, stored) : notFound(target.name);
    }
    if (method === 'DELETE' && target.name) {
      const stored = this.objects.get(keyOf(target.name));
      if (!stored) return notFound(target.name);
      this.objects.delete(keyOf(target.name));
      // A namespace's objects go with it (the real one finalizes this asynchronously).
      if (resource.kind === 'Namespace') for (const [key, object] of this.objects) if (object.metadata.namespace === target.name) this.objects.delete(key);
      return ok(200, stored);
    }
    if ((method === 'POST' && !target.name) || (method === 'PUT' && target.name)) {
      let object: Json;
      try {
        object = JSON.parse(text) as Json;
      } catch {
        return answer(400, 'BadRequest', 'the body is not JSON');
      }
      const meta = (object.metadata ?? {}) as Json;
      const name = String(meta.name ?? '');
      if (object.kind !== resource.kind || object.apiVersion !== resource.apiVersion) {
        return answer(400, 'BadRequest', `the body's kind ${String(object.kind)} does not match the path (${resource.kind})`);
      }
      if (resource.namespaced && meta.namespace !== undefined && meta.namespace !== target.namespace) {
        return answer(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
      }
      if (method === 'PUT' && name !== target.name) return answer(400, 'BadRequest', 'the name of the object does not match the name on the URL');
      const issues = [...schemaIssues(object), ...apiServerRuleIssues(object)];
      if (issues.length > 0) {
        return answer(422, 'Invalid', `${resource.kind} "${name}" is invalid: ${issues.join(', ')}`, {
          name,
          kind: resource.kind,
          causes: issues.map((issue) => ({ message: issue })),
        });
      }
      if (target.namespace && !this.objects.has(`v1/namespaces//${target.namespace}`)) {
        return answer(404, 'NotFound', `namespaces "${target.namespace}" not found`, { name: target.namespace, kind: 'namespaces' });
      }
      const existing = this.objects.get(keyOf(name));
      if (method === 'POST' && existing) {
        return answer(409, 'AlreadyExists', `${target.plural} "${name}" already exists`, { name, kind: target.plural });
      }
      if (method === 'PUT' && !existing) return notFound(name);
      const stored = this.store(object, resource.namespaced ? target.namespace : undefined, existing);
      this.objects.set(keyOf(name), stored);
      return ok(method === 'POST' ? 201 : 200, stored);
    }
    return answer(405, 'MethodNotAllowed', `${method} is not supported here`);
  }

  /** What the API server stores: server-set metadata, and a Secret's stringData folded into data. */
  private store(object: Json, namespace: string | undefined, existing: StoredObject | undefined): StoredObject {
    const meta = object.metadata as Json;
    const stored = {
      ...object,
      metadata: {
        ...meta,
        ...(namespace && { namespace }),
        uid: existing?.metadata.uid ?? randomUUID(),
        resourceVersion: String(++this.resourceVersion),
        creationTimestamp: (existing?.metadata.creationTimestamp as string | undefined) ?? new Date().toISOString(),
      },
    } as unknown as StoredObject;
    if (object.kind === 'Secret' && object.stringData) {
      const data = { ...((object.data as Record<string, string>) ?? {}) };
      for (const [key, value] of Object.entries(object.stringData as Record<string, string>)) data[key] = Buffer.from(value).toString('base64');
      stored.data = data;
      delete stored.stringData;
    }
    return stored;
  }
}
