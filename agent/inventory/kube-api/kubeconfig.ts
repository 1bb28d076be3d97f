// The subset of kubeconfig the agent understands (a lab or a developer's cluster; in a pod it uses
// the service account, in-cluster.ts): the current context's cluster (server, its CA as a file or
// inline, or insecure-skip-tls-verify) and user (a token, a token file, or a client certificate and
// key, as files or inline). Anything else that authenticates (exec plugins, auth providers, basic
// auth, impersonation) is refused by name rather than ignored: connecting without it would fail later
// with a bare 401. Pure: the parsed document in, a description of the connection out; files named
// in it are read by connection.ts.
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';

/** PEM material, from a file (its path made absolute) or inline in the kubeconfig. */
export type Pem = { file: string } | { inline: string };

/** A bearer token, fixed or from a file read again as it rotates (token.ts). */
export type KubeToken = { inline: string } | { file: string };

export interface KubeTarget {
  server: string;
  ca?: Pem;
  insecureSkipTlsVerify: boolean;
  token?: KubeToken;
  clientCertificate?: { cert: Pem; key: Pem };
}

export type KubeconfigResult = { ok: true; target: KubeTarget } | { ok: false; code: 'KUBECONFIG_INVALID' | 'KUBECONFIG_UNSUPPORTED'; message: string };

const clusterSchema = z.looseObject({
  server: z.string().min(1),
  'certificate-authority': z.string().optional(),
  'certificate-authority-data': z.string().optional(),
  'insecure-skip-tls-verify': z.boolean().optional(),
});
const userSchema = z.looseObject({
  token: z.string().optional(),
  tokenFile: z.string().optional(),
  'client-certificate': z.string().optional(),
  'client-certificate-data': z.string().optional(),
  'client-key': z.string().optional(),
  'client-key-data': z.string().optional(),
});
const kubeconfigSchema = z.looseObject({
  'current-context': z.string().min(1),
  clusters: z.array(z.object({ name: z.string(), cluster: clusterSchema })),
  users: z.array(z.object({ name: z.string(), user: userSchema })).default([]),
  contexts: z.array(z.object({ name: z.string(), context: z.looseObject({ cluster: z.string(), user: z.string().optional() }) })),
});

/** User fields we do not implement; each would change who the agent is, so none is ignored. */
const UNSUPPORTED_USER_FIELDS = ['exec', 'auth-provider', 'username', 'password', 'as', 'as-uid', 'as-groups', 'as-user-extra'] as const;
/** Cluster fields that change how to reach the server; connecting while ignoring them would go elsewhere. */
const UNSUPPORTED_CLUSTER_FIELDS = ['proxy-url', 'tls-server-name'] as const;

/** `document` is the parsed YAML; `dir` is the kubeconfig's folder (relative paths in it are relative to it). */
export function parseKubeconfig(document: unknown, dir: string): KubeconfigResult {
  const parsed = kubeconfigSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, code: 'KUBECONFIG_INVALID', message: `${issue?.path.join('.') || 'kubeconfig'}: ${issue?.message}` };
  }
  const config = parsed.data;
  const contextName = config['current-context'];
  const context = config.contexts.find((c) => c.name === contextName)?.context;
  if (!context) return { ok: false, code: 'KUBECONFIG_INVALID', message: `current-context ${contextName} is not in contexts` };
  const cluster = config.clusters.find((c) => c.name === context.cluster)?.cluster;
  if (!cluster) return { ok: false, code: 'KUBECONFIG_INVALID', message: `cluster ${context.cluster} (of context ${contextName}) is not in clusters` };
  const user = context.user === undefined ? {} : config.users.find((u) => u.name === context.user)?.user;
  if (!user) return { ok: false, code: 'KUBECONFIG_INVALID', message: `user ${context.user} (of context ${contextName}) is not in users` };

  for (const field of UNSUPPORTED_CLUSTER_FIELDS) if (cluster[field] !== undefined) return unsupported(`cluster ${context.cluster} uses ${field}`);
  for (const field of UNSUPPORTED_USER_FIELDS) if (user[field] !== undefined) return unsupported(`user ${context.user} uses ${field}`);

  const path = (file: string) => (isAbsolute(file) ? file : resolve(dir, file));
  const pem = (file: string | undefined, data: string | undefined): Pem | undefined =>
    data !== undefined ? { inline: Buffer.from(data, 'base64').toString('utf8') } : file !== undefined ? { file: path(file) } : undefined;

  let server: URL;
  try {
    server = new URL(cluster.server);
  } catch {
    return { ok: false, code: 'KUBECONFIG_INVALID', message: `cluster ${context.cluster}: server ${cluster.server} is not a URL` };
  }
  if (server.protocol !== 'https:' && server.protocol !== 'http:')
    return { ok: false, code: 'KUBECONFIG_INVALID', message: `cluster ${context.cluster}: server ${cluster.server} is not http(s)` };

  const cert = pem(user['client-certificate'], user['client-certificate-data']);
  const key = pem(user['client-key'], user['client-key-data']);
  if ((cert === undefined) !== (key === undefined))
    return { ok: false, code: 'KUBECONFIG_INVALID', message: `user ${context.user}: a client certificate needs both the certificate and its key` };
  // kubectl's order: an inline token wins over a token file.
  const token: KubeToken | undefined =
    user.token !== undefined ? { inline: user.token } : user.tokenFile !== undefined ? { file: path(user.tokenFile) } : undefined;
  const ca = pem(cluster['certificate-authority'], cluster['certificate-authority-data']);
  return {
    ok: true,
    target: {
      server: cluster.server.replace(/\/+$/, ''),
      ...(ca && { ca }),
      insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] ?? false,
      ...(token && { token }),
      ...(cert && key && { clientCertificate: { cert, key } }),
    },
  };
}

function unsupported(what: string): KubeconfigResult {
  return {
    ok: false,
    code: 'KUBECONFIG_UNSUPPORTED',
    message: `${what}, which the agent does not support (use a token, a token file or a client certificate)`,
  };
}
