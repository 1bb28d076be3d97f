// How to reach the API server: in a pod, the service account (the API server's address from
// KUBERNETES_SERVICE_HOST/PORT, its token and CA under /var/run/secrets/kubernetes.io/serviceaccount);
// elsewhere a kubeconfig file (kubeconfig.ts parses it). Reads the files the configuration names, once,
// except the token, which token.ts reads again as it rotates.
import { readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { type KubeTarget, type Pem, parseKubeconfig } from './kubeconfig.ts';
import { type TokenReader, tokenReader } from './token.ts';

export interface KubeConnection {
  /** `https://host:port`, no trailing slash. */
  server: string;
  tls: { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean };
  token: TokenReader;
}

export type KubeConnectionResult = { ok: true; connection: KubeConnection } | { ok: false; code: string; message: string };

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export function inClusterConnection(env: NodeJS.ProcessEnv = process.env, dir = SERVICE_ACCOUNT_DIR): KubeConnectionResult {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port)
    return { ok: false, code: 'IN_CLUSTER_UNAVAILABLE', message: 'not in a pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set' };
  // An IPv6 service address needs brackets in a URL.
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return connectionOf({ server, ca: { file: join(dir, 'ca.crt') }, insecureSkipTlsVerify: false, token: { file: join(dir, 'token') } });
}

export function kubeconfigConnection(path: string): KubeConnectionResult {
  // KUBECONFIG may list files for kubectl to merge; the agent reads one, and says so rather than
  // failing to open a path that is really a list.
  if (path.includes(delimiter)) return { ok: false, code: 'KUBECONFIG_UNSUPPORTED', message: `${path}: a list of kubeconfig files; name one` };
  let document: unknown;
  try {
    document = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    return { ok: false, code: 'KUBECONFIG_INVALID', message: `${path}: ${(error as Error).message}` };
  }
  const parsed = parseKubeconfig(document, dirname(path));
  if (!parsed.ok) return { ok: false, code: parsed.code, message: `${path}: ${parsed.message}` };
  return connectionOf(parsed.target);
}

function connectionOf(target: KubeTarget): KubeConnectionResult {
  try {
    const token = tokenReader(target.token);
    token(); // a missing token file is a configuration error now, not a 401 later
    const read = (pem: Pem | undefined) => (pem === undefined ? undefined : 'inline' in pem ? pem.inline : readFileSync(pem.file, 'utf8'));
    const ca = read(target.ca);
    const cert = read(target.clientCertificate?.cert);
    const key = read(target.clientCertificate?.key);
    return {
      ok: true,
      connection: {
        server: target.server,
        tls: {
          ...(ca !== undefined && { ca }),
          ...(cert !== undefined && { cert }),
          ...(key !== undefined && { key }),
          rejectUnauthorized: !target.insecureSkipTlsVerify,
        },
        token,
      },
    };
  } catch (error) {
    return { ok: false, code: 'KUBECONFIG_INVALID', message: (error as Error).message };
  }
}
