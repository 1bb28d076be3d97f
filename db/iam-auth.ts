// RDS IAM authentication (DATABASE_IAM_AUTH): the password is a token, a SigV4-presigned `connect`
// request for the URL's user, host and port, that RDS Proxy (or RDS) checks and accepts for 15
// minutes. postgres.js asks for the password on every new connection, so each gets a fresh token and
// a pool that lives for days never offers an expired one.
import { Signer } from '@aws-sdk/rds-signer';

export interface IamAuthAccess {
  region: string;
  /** Unset, the AWS SDK's provider chain (the task or function role). */
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
}

/** Postgres's own default port, for a URL that names none. */
const POSTGRES_PORT = 5432;

export function iamAuthConnection(url: string, access: IamAuthAccess): { url: string; password: () => Promise<string> } {
  const parsed = new URL(url);
  const signer = new Signer({
    hostname: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : POSTGRES_PORT,
    username: decodeURIComponent(parsed.username),
    region: access.region,
    ...(access.credentials && { credentials: access.credentials }),
  });
  // The token is a bearer credential: RDS Proxy requires TLS for IAM auth, and a token on a connection
  // whose server is not verified could be replayed by whoever answered. A URL that sets sslmode (the
  // tests' stand-in says disable) has the last word.
  if (!parsed.searchParams.has('sslmode')) parsed.searchParams.set('sslmode', 'verify-full');
  return { url: parsed.toString(), password: () => signer.getAuthToken() };
}
