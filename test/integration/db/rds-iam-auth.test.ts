// DATABASE_IAM_AUTH through an RDS-Proxy-like stand-in (test/support/rds-iam-proxy.ts) in front of the
// real Postgres: the control plane's database client connects with a fresh IAM token per connection,
// and the stand-in refuses what RDS would (a token signed with the wrong secret, for another user, or
// expired) with Postgres's own 28P01. TLS is off here (sslmode=disable): the stand-in has no certificate.
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase, rowsOf } from '../../../db/index.ts';
import { BASE_CREDENTIALS } from '../../support/aws-stand-in.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { type RdsIamProxy, startRdsIamProxy } from '../../support/rds-iam-proxy.ts';

const REGION = 'eu-west-1';

describe('connecting with RDS IAM auth tokens', () => {
  let database: TestDatabase;
  let proxy: RdsIamProxy;
  let proxiedUrl: string;
  const opened: Database[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    const upstream = new URL(database.url);
    proxy = await startRdsIamProxy({
      upstream: { host: upstream.hostname, port: Number(upstream.port || 5432) },
      secretOf: (accessKeyId) => (accessKeyId === BASE_CREDENTIALS.accessKeyId ? BASE_CREDENTIALS.secretAccessKey : undefined),
    });
    const url = new URL(database.url);
    url.host = `${proxy.host}:${proxy.port}`;
    url.searchParams.set('sslmode', 'disable');
    proxiedUrl = url.toString();
  });

  afterAll(async () => {
    for (const db of opened) await db.close();
    await proxy?.stop();
    await database?.drop();
  });

  it('opens every pooled connection with a token the proxy accepts, and queries through it', async () => {
    const db = await openDatabase({ url: proxiedUrl, maxConnections: 3, iamAuth: { region: REGION, credentials: BASE_CREDENTIALS } });
    opened.push(db);
    // Three at once: the pool opens three connections, each authenticating on its own.
    const answers = await Promise.all([1, 2, 3].map((n) => db.db.execute(sql`select ${n}::int as n, pg_sleep(0.2)`)));
    expect(answers.map((answer) => rowsOf<{ n: number }>(answer)[0]!.n)).toEqual([1, 2, 3]);
    const user = new URL(database.url).username;
    expect(proxy.attempts.filter((attempt) => attempt.accepted && attempt.user === user).length).toBeGreaterThanOrEqual(3);
  });

  it('is refused with 28P01 when the token is signed with a secret AWS does not know', async () => {
    const db = await openDatabase({
      url: proxiedUrl,
      maxConnections: 1,
      iamAuth: { region: REGION, credentials: { accessKeyId: BASE_CREDENTIALS.accessKeyId, secretAccessKey: 'not-the-secret' } },
    });
    opened.push(db);
    await expect(db.db.execute(sql`select 1`)).rejects.toMatchObject({ cause: expect.objectContaining({ code: '28P01' }) });
    expect(proxy.attempts.at(-1)).toMatchObject({ accepted: false, reason: 'signature does not match' });
  });

  it('is refused with 28P01 for an expired token or a token for another user', async () => {
    const user = new URL(database.url).username;
    const token = async (dbUser: string, signingDate: Date) => {
      const signer = new SignatureV4({ credentials: BASE_CREDENTIALS, region: REGION, service: 'rds-db', sha256: Sha256 });
      const request = new HttpRequest({
        method: 'GET',
        protocol: 'https:',
        hostname: proxy.host,
        port: proxy.port,
        path: '/',
        query: { Action: 'connect', DBUser: dbUser },
        headers: { host: `${proxy.host}:${proxy.port}` },
      });
      const presigned = await signer.presign(request, { signingDate, expiresIn: 900 });
      const query = new URLSearchParams(presigned.query as Record<string, string>);
      return `${proxy.host}:${proxy.port}/?${query}`;
    };
    const connectWith = async (password: string) => {
      const client = postgres(proxiedUrl, { max: 1, password, onnotice: () => {} });
      try {
        await client`select 1`;
        return 'connected';
      } catch (error) {
        return (error as { code?: string }).code;
      } finally {
        await client.end();
      }
    };
    // Sixteen minutes ago: past the fifteen a token lives.
    expect(await connectWith(await token(user, new Date(Date.now() - 16 * 60_000)))).toBe('28P01');
    expect(proxy.attempts.at(-1)).toMatchObject({ accepted: false, reason: 'expired' });
    expect(await connectWith(await token('someone_else', new Date()))).toBe('28P01');
    expect(proxy.attempts.at(-1)).toMatchObject({ accepted: false, reason: `not a connect request for ${user}` });
    // The same construction, fresh and for the right user, gets in: the refusals above are the token's.
    expect(await connectWith(await token(user, new Date()))).toBe('connected');
  });
});
