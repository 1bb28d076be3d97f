// A stand-in for the parts of AWS that EKS onboarding calls, on loopback, speaking the real wire
// formats so the real @aws-sdk clients (with an endpoint override) run against it unchanged:
//   STS, awsQuery: form-encoded POST bodies, XML answers and XML <ErrorResponse>s; and presigned
//       GetCallerIdentity URLs (the EKS bearer token's content);
//   EKS, REST-JSON: GET /clusters/{name}[/node-groups[/{name}]|/addons/{name}|/fargate-profiles],
//       POST /clusters/{name}/access-entries (CreateAccessEntry) and
//       POST /clusters/{name}/access-entries/{principalArn}/access-policies (AssociateAccessPolicy),
//       DELETE /clusters/{name}/access-entries/{principalArn} (DeleteAccessEntry, offboarding),
//       errors as JSON bodies with their type in `x-amzn-errortype`;
//   Secrets Manager, awsJson1_1: POST / with `X-Amz-Target: secretsmanager.GetSecretValue` or
//       `.PutSecretValue`, JSON in and out, errors as JSON `{__type, message}`; each put is a new
//       AWSCURRENT version (the previous ones kept, as AWSPREVIOUS and older).
// Every request's SigV4 signature is checked with @smithy/signature-v4 against the secret of the
// access key it names (the base credentials for STS, the assumed role's temporary ones for EKS); a
// request that does not verify is answered as AWS does (403 SignatureDoesNotMatch / InvalidSignatureException).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

export const BASE_CREDENTIALS = { accessKeyId: 'AKIAPALISADEWORKER01', secretAccessKey: 'palisade-worker-secret-for-tests-only' };

export interface StandInCluster {
  name: string;
  status: 'ACTIVE' | 'CREATING' | 'UPDATING' | 'DELETING' | 'FAILED';
  version: string;
  platformVersion: string;
  ipFamily: 'ipv4' | 'ipv6';
  authenticationMode: 'API' | 'API_AND_CONFIG_MAP' | 'CONFIG_MAP';
  nodegroups: { name: string; amiType: string }[];
  fargateProfiles: string[];
  /** VPC CNI add-on configuration values (JSON text), or absent when the add-on is not installed. */
  vpcCniConfiguration?: string;
  /**
   * Where DescribeCluster says the cluster's Kubernetes API is: a Kubernetes stand-in on loopback
   * (kubernetes-stand-in.ts; plain http, which only a stand-in may be: a real EKS endpoint is https
   * with the cluster's CA). Unset, an EKS-shaped https name that resolves nowhere.
   */
  kubernetesEndpoint?: string;
}

export interface StandInRole {
  roleArn: string;
  externalId: string;
}

/** An access entry and its associated policies (policy ARN -> scope), as EKS keeps them. */
export interface StandInAccessEntry {
  principalArn: string;
  type: string;
  tags: Record<string, string>;
  policies: Map<string, { type: string; namespaces: string[] }>;
}

type AwsError = { status: number; code: string; message: string };

/** A secret's versions, oldest first; the last is AWSCURRENT. */
export interface StandInSecret {
  arn: string;
  name: string;
  versions: { versionId: string; secretString: string }[];
}

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  roleArn?: string;
}

const iso = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
const xmlEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const STS_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

export class AwsStandIn {
  private server!: Server;
  private readonly credentials = new Map<string, Credentials>([[BASE_CREDENTIALS.accessKeyId, BASE_CREDENTIALS]]);
  readonly roles = new Map<string, StandInRole>();
  readonly clusters = new Map<string, StandInCluster>();
  /** Access entries per cluster name, keyed by principal ARN. */
  readonly accessEntries = new Map<string, Map<string, StandInAccessEntry>>();
  /** Secrets Manager secrets by ARN. */
  readonly secrets = new Map<string, StandInSecret>();
  /** Actions (`eks:DescribeAddon`) the role is not allowed, answered with AccessDeniedException. */
  readonly denied = new Set<string>();
  /** Answer this many of the next requests for an action with ThrottlingException first. */
  readonly throttle = new Map<string, number>();
  /** Each request: its action and whether its signature verified. */
  readonly requests: { action: string; signatureValid: boolean }[] = [];
  region = 'eu-west-1';
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<ServerResponse> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const authorization = req.headers.authorization;
    if (!authorization) return this.presigned(url, req, res);
    const scope = /Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})/.exec(authorization);
    const service = scope?.[4] ?? 'unknown';
    const action =
      service === 'sts'
        ? `sts:${new URLSearchParams(body).get('Action')}`
        : service === 'secretsmanager'
          ? `secretsmanager:${String(req.headers['x-amz-target'] ?? '').replace(/^secretsmanager\./, '')}`
          : eksAction(req.method ?? 'GET', url.pathname);
    const caller = scope ? this.credentials.get(scope[1]!) : undefined;
    const valid = Boolean(scope && caller && (await this.signatureMatches(req, url, body, caller, scope[3]!, service, scope[5]!.split(';'), scope[6]!)));
    this.requests.push({ action, signatureValid: valid });
    if (!valid || !caller) {
      const code = service === 'sts' ? 'SignatureDoesNotMatch' : service === 'secretsmanager' ? 'UnrecognizedClientException' : 'InvalidSignatureException';
      return this.fail(res, service, { status: 403, code, message: 'The request signature we calculated does not match the signature you provided.' });
    }
    const remaining = this.throttle.get(action) ?? 0;
    if (remaining > 0) {
      this.throttle.set(action, remaining - 1);
      return this.fail(res, service, {
        status: service === 'sts' ? 400 : 429,
        code: service === 'sts' ? 'Throttling' : 'ThrottlingException',
        message: 'Rate exceeded',
      });
    }
    if (service === 'sts') return this.sts(new URLSearchParams(body), caller, res);
    if (service === 'eks') return this.eks(action, url, body, caller, res);
    if (service === 'secretsmanager') return this.secretsManager(action, body, res);
    return this.fail(res, 'eks', { status: 400, code: 'InvalidParameterException', message: `unknown service ${service}` });
  }

  /** Re-signs the request as received, with the caller's secret and the signed headers it named, and compares. */
  private async signatureMatches(
    req: IncomingMessage,
    url: URL,
    body: string,
    caller: Credentials,
    region: string,
    service: string,
    signedHeaders: string[],
    signature: string,
  ): Promise<boolean> {
    const headers: Record<string, string> = {};
    for (const name of signedHeaders) headers[name] = String(req.headers[name] ?? '');
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    const signingDate = new Date(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
    const request = new HttpRequest({
      method: req.method ?? 'GET',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      ...(body ? { body } : {}),
    });
    const signer = new SignatureV4({ credentials: caller, region, service, sha256: Sha256 });
    const signed = await signer.sign(request, { signingDate });
    return new RegExp(`Signature=${signature}$`).test(String(signed.headers.authorization));
  }

  /** A presigned GetCallerIdentity (what an EKS bearer token holds): checked the way STS checks it. */
  private async presigned(url: URL, req: IncomingMessage, res: ServerResponse): Promise<ServerResponse> {
    const identity = await this.verifyPresigned(url, (name) => String(req.headers[name] ?? ''));
    this.requests.push({ action: 'sts:GetCallerIdentity', signatureValid: identity !== undefined });
    if (!identity) return this.fail(res, 'sts', { status: 403, code: 'SignatureDoesNotMatch', message: 'presigned request does not verify' });
    return res
      .writeHead(200, { 'content-type': 'text/xml' })
      .end(
        `<GetCallerIdentityResponse xmlns="${STS_XMLNS}"><GetCallerIdentityResult><Arn>${xmlEscape(identity)}</Arn><UserId>AROA:palisade</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>${randomBytes(8).toString('hex')}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
      );
  }

  /** The assumed role's ARN when the presigned URL verifies (signature, expiry, signed headers), else undefined. */
  async verifyPresigned(url: URL, header: (name: string) => string): Promise<string | undefined> {
    const params = url.searchParams;
    const credential = /^([^/]+)\/(\d{8})\/([^/]+)\/sts\/aws4_request$/.exec(params.get('X-Amz-Credential') ?? '');
    const caller = credential ? this.credentials.get(credential[1]!) : undefined;
    if (!credential || !caller || params.get('Action') !== 'GetCallerIdentity') return undefined;
    const amzDate = params.get('X-Amz-Date') ?? '';
    const signingDate = new Date(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
    const expiresIn = Number(params.get('X-Amz-Expires'));
    if (!(expiresIn > 0) || Date.now() > signingDate.getTime() + expiresIn * 1000) return undefined;
    const signedHeaders = (params.get('X-Amz-SignedHeaders') ?? '').split(';');
    const headers: Record<string, string> = {};
    for (const name of signedHeaders) headers[name] = header(name);
    const query: Record<string, string> = {};
    for (const [key, value] of params) if (!key.startsWith('X-Amz-')) query[key] = value;
    const request = new HttpRequest({ method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query, headers });
    const signer = new SignatureV4({ credentials: caller, region: credential[3]!, service: 'sts', sha256: Sha256 });
    const presigned = await signer.presign(request, { signingDate, expiresIn });
    if (presigned.query?.['X-Amz-Signature'] !== params.get('X-Amz-Signature')) return undefined;
    return caller.roleArn;
  }

  /** A secret holding `secretString`, as CreateSecret would leave it; returns its ARN. */
  createSecret(name: string, secretString: string): string {
    // Secrets Manager appends six random characters to the name in the ARN.
    const arn = `arn:aws:secretsmanager:${this.region}:123456789012:secret:${name}-${randomBytes(3).toString('hex')}`;
    this.secrets.set(arn, { arn, name, versions: [{ versionId: randomUUID(), secretString }] });
    return arn;
  }

  private secretsManager(action: string, body: string, res: ServerResponse): ServerResponse {
    const input = JSON.parse(body || '{}') as { SecretId?: string; SecretString?: string; ClientRequestToken?: string };
    if (this.denied.has(action)) {
      return this.fail(res, 'secretsmanager', { status: 400, code: 'AccessDeniedException', message: `not authorized to perform: ${action}` });
    }
    const secret = [...this.secrets.values()].find((candidate) => candidate.arn === input.SecretId || candidate.name === input.SecretId);
    if (!secret) {
      return this.fail(res, 'secretsmanager', { status: 400, code: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
    }
    const json = (value: unknown) => res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(value));
    if (action === 'secretsmanager:GetSecretValue') {
      const current = secret.versions.at(-1)!;
      return json({
        ARN: secret.arn,
        Name: secret.name,
        VersionId: current.versionId,
        SecretString: current.secretString,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 1_796_000_000,
      });
    }
    if (action === 'secretsmanager:PutSecretValue') {
      if (typeof input.SecretString !== 'string') {
        return this.fail(res, 'secretsmanager', {
          status: 400,
          code: 'InvalidParameterException',
          message: 'You must provide either SecretString or SecretBinary.',
        });
      }
      const versionId = input.ClientRequestToken ?? randomUUID();
      secret.versions.push({ versionId, secretString: input.SecretString });
      return json({ ARN: secret.arn, Name: secret.name, VersionId: versionId, VersionStages: ['AWSCURRENT'] });
    }
    return this.fail(res, 'secretsmanager', { status: 400, code: 'InvalidAction', message: `unsupported action ${action}` });
  }

  private sts(form: URLSearchParams, caller: Credentials, res: ServerResponse): ServerResponse {
    const requestId = randomBytes(8).toString('hex');
    if (form.get('Action') !== 'AssumeRole')
      return this.fail(res, 'sts', { status: 400, code: 'InvalidAction', message: `unknown action ${form.get('Action')}` });
    const roleArn = form.get('RoleArn') ?? '';
    const role = this.roles.get(roleArn);
    if (!role || role.externalId !== form.get('ExternalId') || caller.roleArn !== undefined) {
      return this.fail(res, 'sts', {
        status: 403,
        code: 'AccessDenied',
        message: `User: arn:aws:iam::999999999999:user/palisade is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      });
    }
    const session = form.get('RoleSessionName') ?? 'session';
    const issued = {
      accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(20).toString('base64'),
      sessionToken: randomBytes(24).toString('base64'),
      roleArn,
    };
    this.credentials.set(issued.accessKeyId, issued);
    const expiration = iso(new Date(Date.now() + 3_600_000));
    const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
    return res
      .writeHead(200, { 'content-type': 'text/xml' })
      .end(
        `<AssumeRoleResponse xmlns="${STS_XMLNS}"><AssumeRoleResult><Credentials><AccessKeyId>${issued.accessKeyId}</AccessKeyId><SecretAccessKey>${xmlEscape(issued.secretAccessKey)}</SecretAccessKey><SessionToken>${xmlEscape(issued.sessionToken)}</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROA${createHash('sha1').update(roleArn).digest('hex').slice(0, 16).toUpperCase()}:${xmlEscape(session)}</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/${xmlEscape(roleName)}/${xmlEscape(session)}</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
      );
  }

  private eks(action: string, url: URL, body: string, caller: Credentials, res: ServerResponse): ServerResponse {
    if (caller.roleArn === undefined || this.denied.has(action)) {
      return this.fail(res, 'eks', {
        status: 403,
        code: 'AccessDeniedException',
        message: `User: ${caller.roleArn ?? 'arn:aws:iam::999999999999:user/palisade'} is not authorized to perform: ${action} on resource: ${url.pathname}`,
      });
    }
    const [, , clusterName, sub, subName] = url.pathname.split('/').map(decodeURIComponent);
    const cluster = this.clusters.get(clusterName ?? '');
    if (!cluster) return this.fail(res, 'eks', { status: 404, code: 'ResourceNotFoundException', message: `No cluster found for name: ${clusterName}.` });
    if (action === 'eks:CreateAccessEntry' || action === 'eks:AssociateAccessPolicy' || action === 'eks:DeleteAccessEntry')
      return this.accessEntry(action, cluster, subName, body, res);
    const json = (value: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    const arn = `arn:aws:eks:${this.region}:123456789012:cluster/${cluster.name}`;
    switch (action) {
      case 'eks:DescribeCluster':
        return json({
          cluster: {
            name: cluster.name,
            arn,
            createdAt: 1_796_000_000,
            version: cluster.version,
            platformVersion: cluster.platformVersion,
            endpoint:
              cluster.kubernetesEndpoint ??
              `https://${createHash('md5').update(cluster.name).digest('hex').toUpperCase()}.gr7.${this.region}.eks.amazonaws.com`,
            status: cluster.status,
            certificateAuthority: { data: Buffer.from(`-----BEGIN CERTIFICATE-----\n${cluster.name}\n-----END CERTIFICATE-----\n`).toString('base64') },
            kubernetesNetworkConfig: {
              ipFamily: cluster.ipFamily,
              ...(cluster.ipFamily === 'ipv4' ? { serviceIpv4Cidr: '172.20.0.0/16' } : { serviceIpv6Cidr: 'fd7a:1b2c:3d4e::/108' }),
            },
            accessConfig: { authenticationMode: cluster.authenticationMode },
          },
        });
      case 'eks:ListNodegroups':
        return json({ nodegroups: cluster.nodegroups.map((group) => group.name) });
      case 'eks:DescribeNodegroup': {
        const group = cluster.nodegroups.find((candidate) => candidate.name === subName);
        if (!group) return this.fail(res, 'eks', { status: 404, code: 'ResourceNotFoundException', message: `No node group found for name: ${subName}.` });
        return json({
          nodegroup: {
            nodegroupName: group.name,
            clusterName: cluster.name,
            amiType: group.amiType,
            status: 'ACTIVE',
            scalingConfig: { minSize: 1, maxSize: 3, desiredSize: 2 },
          },
        });
      }
      case 'eks:ListFargateProfiles':
        return json({ fargateProfileNames: cluster.fargateProfiles });
      case 'eks:DescribeAddon':
        if (subName !== 'vpc-cni' || cluster.vpcCniConfiguration === undefined) {
          return this.fail(res, 'eks', { status: 404, code: 'ResourceNotFoundException', message: `No addon: ${subName} found in cluster: ${cluster.name}` });
        }
        return json({
          addon: {
            addonName: 'vpc-cni',
            clusterName: cluster.name,
            status: 'ACTIVE',
            addonVersion: 'v1.19.2-eksbuild.1',
            configurationValues: cluster.vpcCniConfiguration,
          },
        });
    }
    return this.fail(res, 'eks', { status: 400, code: 'InvalidParameterException', message: `unsupported ${sub ?? ''} request ${url.pathname}` });
  }

  /** CreateAccessEntry and AssociateAccessPolicy, with the checks EKS makes on their input. */
  private accessEntry(action: string, cluster: StandInCluster, principalInPath: string | undefined, body: string, res: ServerResponse): ServerResponse {
    const input = JSON.parse(body || '{}') as Record<string, unknown>;
    const entries = this.accessEntries.get(cluster.name) ?? new Map<string, StandInAccessEntry>();
    this.accessEntries.set(cluster.name, entries);
    const json = (value: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    const invalid = (message: string) => this.fail(res, 'eks', { status: 400, code: 'InvalidParameterException', message });
    if (cluster.authenticationMode === 'CONFIG_MAP') {
      return this.fail(res, 'eks', {
        status: 400,
        code: 'InvalidRequestException',
        message: 'The cluster authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation.',
      });
    }
    if (action === 'eks:DeleteAccessEntry') {
      if (!entries.delete(principalInPath ?? '')) {
        return this.fail(res, 'eks', { status: 404, code: 'ResourceNotFoundException', message: 'The specified principalArn could not be found.' });
      }
      return json({});
    }
    if (action === 'eks:CreateAccessEntry') {
      const principalArn = input.principalArn;
      if (typeof principalArn !== 'string' || !/^arn:aws:iam::\d{12}:(role|user)\//.test(principalArn))
        return invalid('principalArn must be an IAM role or user ARN');
      if (entries.has(principalArn)) {
        return this.fail(res, 'eks', {
          status: 409,
          code: 'ResourceInUseException',
          message: `The specified access entry resource is already in use on this cluster.`,
        });
      }
      const entry: StandInAccessEntry = {
        principalArn,
        type: String(input.type ?? 'STANDARD'),
        tags: (input.tags as Record<string, string>) ?? {},
        policies: new Map(),
      };
      entries.set(principalArn, entry);
      return json({
        accessEntry: { clusterName: cluster.name, principalArn, type: entry.type, tags: entry.tags, username: principalArn, kubernetesGroups: [] },
      });
    }
    const entry = entries.get(principalInPath ?? '');
    if (!entry) return this.fail(res, 'eks', { status: 404, code: 'ResourceNotFoundException', message: `The specified principalArn could not be found.` });
    const policyArn = input.policyArn;
    const scope = input.accessScope as { type?: unknown; namespaces?: unknown } | undefined;
    if (typeof policyArn !== 'string' || !policyArn.startsWith('arn:aws:eks::aws:cluster-access-policy/'))
      return invalid('policyArn must name an EKS access policy');
    if (scope?.type !== 'cluster' && scope?.type !== 'namespace') return invalid('accessScope.type must be cluster or namespace');
    const namespaces = Array.isArray(scope.namespaces) ? (scope.namespaces as string[]) : [];
    if (scope.type === 'namespace' && namespaces.length === 0) return invalid('accessScope.namespaces is required for a namespace scope');
    if (scope.type === 'cluster' && namespaces.length > 0) return invalid('accessScope.namespaces must be empty for a cluster scope');
    entry.policies.set(policyArn, { type: scope.type, namespaces });
    return json({
      clusterName: cluster.name,
      principalArn: entry.principalArn,
      associatedAccessPolicy: { policyArn, accessScope: { type: scope.type, namespaces }, associatedAt: 1_796_000_000, modifiedAt: 1_796_000_000 },
    });
  }

  private fail(res: ServerResponse, service: string, error: AwsError): ServerResponse {
    if (service === 'secretsmanager') {
      return res
        .writeHead(error.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': error.code })
        .end(JSON.stringify({ __type: error.code, message: error.message }));
    }
    if (service === 'sts') {
      return res
        .writeHead(error.status, { 'content-type': 'text/xml' })
        .end(
          `<ErrorResponse xmlns="${STS_XMLNS}"><Error><Type>Sender</Type><Code>${error.code}</Code><Message>${xmlEscape(error.message)}</Message></Error><RequestId>${randomBytes(8).toString('hex')}</RequestId></ErrorResponse>`,
        );
    }
    return res
      .writeHead(error.status, { 'content-type': 'application/json', 'x-amzn-errortype': `${error.code}:http://internal.amazon.com/coral/com.amazonaws.eks/` })
      .end(JSON.stringify({ message: error.message }));
  }
}

function eksAction(method: string, path: string): string {
  const parts = path.split('/').filter(Boolean);
  if (method === 'POST' && parts[0] === 'clusters' && parts[2] === 'access-entries') {
    if (parts.length === 3) return 'eks:CreateAccessEntry';
    if (parts.length === 5 && parts[4] === 'access-policies') return 'eks:AssociateAccessPolicy';
  }
  if (method === 'DELETE' && parts[0] === 'clusters' && parts[2] === 'access-entries' && parts.length === 4) return 'eks:DeleteAccessEntry';
  if (method !== 'GET' || parts[0] !== 'clusters') return `eks:${method}${path}`;
  if (parts.length === 2) return 'eks:DescribeCluster';
  if (parts[2] === 'node-groups') return parts.length === 3 ? 'eks:ListNodegroups' : 'eks:DescribeNodegroup';
  if (parts[2] === 'addons' && parts.length === 4) return 'eks:DescribeAddon';
  if (parts[2] === 'fargate-profiles' && parts.length === 3) return 'eks:ListFargateProfiles';
  return `eks:${method}${path}`;
}
