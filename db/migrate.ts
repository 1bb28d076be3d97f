// Applies the SQL migrations that drizzle-kit generated (migrations/), in journal order, in one
// transaction under an advisory lock, so several instances starting at once apply each exactly once.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import type { Db } from './client.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));
/** Arbitrary but fixed: the advisory lock key every palisade instance agrees on. */
const MIGRATION_LOCK_KEY = 7_340_112_019;

interface JournalEntry {
  tag: string;
}

export function listMigrations(dir = MIGRATIONS_DIR): { tag: string; statements: string[] }[] {
  const journal = JSON.parse(readFileSync(`${dir}meta/_journal.json`, 'utf8')) as { entries: JournalEntry[] };
  return journal.entries.map(({ tag }) => ({
    tag,
    statements: readFileSync(`${dir}${tag}.sql`, 'utf8')
      .split('--> statement-breakpoint')
      .map((statement) => statement.trim())
      .filter((statement) => statement.length > 0),
  }));
}

/** Returns the tags it applied (empty when the schema was current). */
export async function migrate(db: Db): Promise<string[]> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.execute(sql`create table if not exists palisade_migrations (
      tag text primary key, applied_at timestamptz not null default now())`);
    const rows = (await tx.execute(sql`select tag from palisade_migrations`)) as unknown as Iterable<{ tag: string }>;
    const applied = new Set(rowsOf<{ tag: string }>(rows).map((row) => row.tag));
    const done: string[] = [];
    for (const migration of listMigrations()) {
      if (applied.has(migration.tag)) continue;
      for (const statement of migration.statements) await tx.execute(sql.raw(statement));
      await tx.execute(sql`insert into palisade_migrations (tag) values (${migration.tag})`);
      done.push(migration.tag);
    }
    return done;
  });
}

/** postgres.js returns an array of rows, PGlite an object with `rows`; read either. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
