// Opens the database: postgres.js when a URL is given (production, tests), embedded PGlite otherwise
// (the local default). Both give the same drizzle API; everything above this file is driver-agnostic.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { type IamAuthAccess, iamAuthConnection } from './iam-auth.ts';
import { preparingStatements } from './prepared-statements.ts';

export type Db = PgDatabase<PgQueryResultHKT>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface Database {
  /** Connection as the migration owner. Request code never uses it directly: see tenant-transaction.ts. */
  readonly db: Db;
  readonly kind: 'pglite' | 'postgres';
  /** Subscribes to NOTIFY on a channel; the returned function unsubscribes. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /** What the driver can tell of its connections (metrics read it at scrape time). */
  poolStats(): Promise<PoolStats>;
  close(): Promise<void>;
}

export interface PoolStats {
  /** Connections the pool may open. */
  max: number;
  /** Connections open now. */
  open: number;
  /** Of those, running a query or inside a transaction now; undefined when the driver cannot tell. */
  busy: number | undefined;
}

export interface DatabaseOptions {
  /** postgres:// URL; when absent, PGlite stores data under `dataDir` (or in memory if that is absent too). */
  url?: string;
  dataDir?: string;
  /** Pool size for postgres.js; long-polling agents hold no connection, so a small pool serves many. */
  maxConnections?: number;
  /** Connect with RDS IAM auth tokens as the password (iam-auth.ts); postgres:// URLs only. */
  iamAuth?: IamAuthAccess | undefined;
  /** Named prepared statements (prepared-statements.ts); default on. Off behind RDS Proxy or an older transaction-mode pooler. */
  preparedStatements?: boolean;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) return openPostgres(options.url, options.maxConnections ?? 10, options.iamAuth, options.preparedStatements ?? true);
  return openPglite(options.dataDir);
}

function openPostgres(givenUrl: string, max: number, iamAuth: IamAuthAccess | undefined, prepare: boolean): Database {
  const iam = iamAuth && iamAuthConnection(givenUrl, iamAuth);
  const url = iam?.url ?? givenUrl;
  // postgres.js does not publish its pool's state; Postgres does, per session, so each pool names its
  // sessions uniquely (several control planes share one process in tests) and asks pg_stat_activity.
  const applicationName = `palisade-${process.pid}-${randomBytes(4).toString('hex')}`;
  // prepare: see prepared-statements.ts.
  // fetch_types: false skips the array-type query postgres.js runs on every new connection: no column
  // of ours is an array, and that query, cut off by a database going down, is one more write into a
  // dropped socket (porsager/postgres#1208; see transaction.ts) and a rejection nobody handles.
  const client = postgres(url, {
    prepare,
    fetch_types: false,
    max,
    onnotice: () => {},
    connection: { application_name: applicationName },
    ...(iam && { password: iam.password }),
  });
  const db = drizzlePostgres(prepare ? preparingStatements(client) : client) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    async listen(channel, onPayload) {
      const subscription = await client.listen(channel, (payload) => onPayload(payload));
      return () => subscription.unlisten();
    },
    async poolStats() {
      const [row] = await client<{ open: number; busy: number }[]>`select count(*)::int as open,
        count(*) filter (where state is distinct from 'idle')::int as busy
        from pg_stat_activity where application_name = ${applicationName}`;
      // The LISTEN connection sits idle; the session asking is busy with this very question.
      return { max, open: row?.open ?? 0, busy: Math.max(0, (row?.busy ?? 1) - 1) };
    },
    close: () => client.end({ timeout: 5 }),
  };
}

async function openPglite(dataDir: string | undefined): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const client = await PGlite.create(dataDir);
  const db = drizzlePglite(client) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    async listen(channel, onPayload) {
      return client.listen(channel, onPayload);
    },
    // One embedded connection that runs one query at a time; it cannot say when it is busy.
    poolStats: async () => ({ max: 1, open: client.closed ? 0 : 1, busy: undefined }),
    close: () => client.close(),
  };
}
