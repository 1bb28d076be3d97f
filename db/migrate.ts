// Applies the SQL migrations that drizzle-kit generated (migrations/), in journal order, in one
// transaction under an advisory lock, so several instances starting at once apply each exactly once.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import journal from '../migrations/meta/_journal.json' with { type: 'json' };
import type { Db } from './client.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));
/** Arbitrary but fixed: the advisory lock key every palisade instance agrees on. */
const MIGRATION_LOCK_KEY = 7_340_112_019;

/**
 * This build's migration tags, oldest first. The journal is imported, not read, so it is inside the
 * Lambda bundle too, which has no migrations/ beside it: the function checks the schema is current
 * but never migrates (`palisade migrate` does, from the image, where the SQL files are).
 */
export const MIGRATION_TAGS: readonly string[] = journal.entries.map((entry) => entry.tag);

export function listMigrations(): { tag: string; statements: string[] }[] {
  return MIGRATION_TAGS.map((tag) => ({
    tag,
    statements: readFileSync(`${MIGRATIONS_DIR}${tag}.sql`, 'utf8')
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

/**
 * The migrations this build has that the database has not applied (oldest first): what a process
 * that does not migrate at start checks, so it refuses to run on a schema older than its code.
 */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const [table] = rowsOf<{ name: string | null }>(await db.execute(sql`select to_regclass('palisade_migrations')::text as name`));
  const applied = table?.name
    ? new Set(rowsOf<{ tag: string }>(await db.execute(sql`select tag from palisade_migrations`)).map((row) => row.tag))
    : new Set<string>();
  return MIGRATION_TAGS.filter((tag) => !applied.has(tag));
}

/** postgres.js returns an array of rows, PGlite an object with `rows`; read either. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
