// Just enough of a Kubernetes API client for installing and removing the agent's objects: the REST
// path of each kind we install, create-or-replace (POST, and PUT when the object exists: 409
// AlreadyExists), and delete (404 counts as done). Authenticated with an EKS bearer token
// (eks-token.ts) and the cluster's own CA from DescribeCluster. A client library would discover
// resource paths first (one more round trip per group, and more API surface to refuse us); the seven
// kinds here have fixed paths. Each refusal becomes an OnboardingFailure naming the verb and resource
// refused and what grants it, never an exception the tenant would see as a 500.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AgentObject } from './agent-manifests.ts';
import { eksBearerToken } from './eks-token.ts';
import type { AwsAccess, AwsCredentials } from './inspect-eks-cluster.ts';
import type { OnboardingFailure } from './onboarding-failure.ts';

/** An EKS cluster's Kubernetes API, as DescribeCluster gives it. */
export interface KubernetesTarget {
  endpoint: string;
  /** The cluster CA, base64 PEM (certificateAuthority.data). */
  certificateAuthority: string;
  clusterName: string;
  region: string;
  /** How palisade got in, for the next step of a 401/403: an access entry, or a line in aws-auth. */
  access: 'access-entry' | 'aws-auth';
  roleArn: string;
}

export type KubernetesResult = { ok: true } | { ok: false; failure: OnboardingFailure };

interface Answer {
  status: number;
  body: string;
}

/** A whole request's answer; a request that gets none (refused connection, timeout) rejects. */
const REQUEST_TIMEOUT_MS = 15_000;

const PLURALS: Record<string, string> = {
  Namespace: 'namespaces',
  ServiceAccount: 'serviceaccounts',
  Secret: 'secrets',
  ConfigMap: 'configmaps',
  ClusterRole: 'clusterroles',
  ClusterRoleBinding: 'clusterrolebindings',
  DaemonSet: 'daemonsets',
};

/** The collection an object is created in, and the object's own path. */
export function objectPaths(object: AgentObject): { collection: string; item: string; resource: string } {
  const kind = object.kind ?? '';
  const plural = PLURALS[kind];
  if (!plural) throw new Error(`kubernetes-api: no path for kind ${kind}`);
  const apiVersion = object.apiVersion ?? 'v1';
  const prefix = apiVersion === 'v1' ? '/api/v1' : `/apis/${apiVersion}`;
  const namespace = object.metadata?.namespace;
  const collection = namespace ? `${prefix}/namespaces/${namespace}/${plural}` : `${prefix}/${plural}`;
  return { collection, item: `${collection}/${object.metadata?.name ?? ''}`, resource: plural };
}

/** The Kubernetes Status message of an error answer, or the raw text when it is not one. */
function statusMessage(answer: Answer): string {
  try {
    return String((JSON.parse(answer.body) as { message?: unknown }).message ?? answer.body);
  } catch {
    return answer.body.slice(0, 300);
  }
}

function failureOf(target: KubernetesTarget, verb: string, resource: string, answer: Answer | Error): OnboardingFailure {
  const action = `${verb} ${resource}`;
  if (answer instanceof Error || answer.status === 429 || answer.status >= 500) {
    const why = answer instanceof Error ? answer.message : `${answer.status}: ${statusMessage(answer)}`;
    return {
      code: 'KUBERNETES_UNREACHABLE',
      reason: `the cluster's Kubernetes API at ${target.endpoint} did not answer ${action} (${why})`,
      nextStep: "nothing: the job runs again with backoff; if it persists, check the cluster's API endpoint allows public access from palisade",
      retryable: true,
      action,
    };
  }
  const grant =
    target.access === 'access-entry'
      ? `palisade's access entry for ${target.roleArn} with AmazonEKSClusterAdminPolicy at cluster scope (aws eks list-associated-access-policies --cluster-name ${target.clusterName} --principal-arn ${target.roleArn})`
      : `a mapRoles entry for ${target.roleArn} in the aws-auth ConfigMap, in a group bound to cluster-admin (the compatibility report gives the line)`;
  if (answer.status === 401) {
    return {
      code: 'KUBERNETES_UNAUTHORIZED',
      reason: `Kubernetes API refused palisade's token: 401 on ${action} (${statusMessage(answer)})`,
      nextStep: `check ${grant} exists; then retry`,
      retryable: false,
      action,
    };
  }
  if (answer.status === 403) {
    return {
      code: 'KUBERNETES_FORBIDDEN',
      reason: `Kubernetes API refused: 403, palisade may not ${action} (${statusMessage(answer)})`,
      nextStep: `grant it through ${grant}; then retry`,
      retryable: false,
      action,
    };
  }
  return {
    code: 'KUBERNETES_REFUSED',
    reason: `Kubernetes API refused ${action}: ${answer.status} ${statusMessage(answer)}`,
    nextStep: 'check for an admission webhook or policy refusing objects in palisade-system; then retry',
    retryable: false,
    action,
  };
}

export interface KubernetesClient {
  /** Creates each object, or replaces it where it exists: a re-run leaves the same objects. */
  apply(objects: AgentObject[]): Promise<KubernetesResult>;
  /** Deletes each object; one already gone is done. */
  remove(objects: AgentObject[]): Promise<KubernetesResult>;
}

export async function kubernetesClient(target: KubernetesTarget, credentials: AwsCredentials, access: AwsAccess): Promise<KubernetesClient> {
  const token = await eksBearerToken({ clusterName: target.clusterName, region: target.region, credentials, stsEndpoint: access.endpoints?.sts });
  const base = new URL(target.endpoint);
  const ca = target.certificateAuthority ? Buffer.from(target.certificateAuthority, 'base64') : undefined;

  function send(method: string, path: string, body?: unknown): Promise<Answer> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const options = {
      method,
      hostname: base.hostname,
      port: base.port || undefined,
      path,
      timeout: REQUEST_TIMEOUT_MS,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(payload !== undefined && { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
      },
    };
    return new Promise((resolve, reject) => {
      // A real EKS endpoint is https with the cluster's CA; plain http is what a loopback stand-in speaks.
      const req = base.protocol === 'http:' ? httpRequest(options) : httpsRequest({ ...options, ...(ca && { ca }) });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.end(payload);
    });
  }

  async function attempt(verb: string, resource: string, work: () => Promise<Answer>, done: (answer: Answer) => boolean) {
    try {
      const answer = await work();
      return done(answer) ? undefined : failureOf(target, verb, resource, answer);
    } catch (error) {
      return failureOf(target, verb, resource, error as Error);
    }
  }

  return {
    async apply(objects) {
      for (const object of objects) {
        const paths = objectPaths(object);
        let exists = false;
        const created = await attempt(
          'create',
          paths.resource,
          () => send('POST', paths.collection, object),
          (answer) => {
            exists = answer.status === 409;
            return answer.status < 300 || exists;
          },
        );
        if (created) return { ok: false, failure: created };
        if (!exists) continue;
        // PUT without a resourceVersion is an unconditional update, which every kind here allows.
        const replaced = await attempt(
          'update',
          paths.resource,
          () => send('PUT', paths.item, object),
          (answer) => answer.status < 300,
        );
        if (replaced) return { ok: false, failure: replaced };
      }
      return { ok: true };
    },
    async remove(objects) {
      for (const object of objects) {
        const paths = objectPaths(object);
        const removed = await attempt(
          'delete',
          paths.resource,
          () => send('DELETE', paths.item, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' }),
          (answer) => answer.status < 300 || answer.status === 404,
        );
        if (removed) return { ok: false, failure: removed };
      }
      return { ok: true };
    },
  };
}
