// The bearer token EKS's Kubernetes API accepts for an IAM identity (what `aws eks get-token` prints):
// a presigned STS GetCallerIdentity URL, with the cluster's name in the signed `x-k8s-aws-id` header,
// base64url without padding, after `k8s-aws-v1.`. The API server's authenticator calls the URL and
// maps the identity it gets back to Kubernetes users through access entries (or aws-auth).
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentials } from './inspect-eks-cluster.ts';

export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
/** The authenticator refuses presigned URLs older than 15 minutes; 60 s of validity is what aws-cli asks for. */
const TOKEN_EXPIRES_SECONDS = 60;

export async function eksBearerToken(input: {
  clusterName: string;
  region: string;
  credentials: AwsCredentials;
  stsEndpoint?: string | undefined;
  now?: Date;
}): Promise<string> {
  const endpoint = new URL(input.stsEndpoint ?? `https://sts.${input.region}.amazonaws.com`);
  const request = new HttpRequest({
    method: 'GET',
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    ...(endpoint.port && { port: Number(endpoint.port) }),
    path: '/',
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    headers: { host: endpoint.host, 'x-k8s-aws-id': input.clusterName },
  });
  const signer = new SignatureV4({ credentials: input.credentials, region: input.region, service: 'sts', sha256: Sha256 });
  const presigned = await signer.presign(request, { expiresIn: TOKEN_EXPIRES_SECONDS, ...(input.now && { signingDate: input.now }) });
  const query = new URLSearchParams(presigned.query as Record<string, string>).toString();
  const url = `${endpoint.protocol}//${endpoint.host}/?${query}`;
  return EKS_TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url');
}
