// Values written into a statement's text as SQL literals, for the one kind of statement that can carry
// no parameters: a tenant's read sent as one simple-protocol message (tenant-read.ts).
//
// Every value becomes an escape string constant, E'...'. Inside one a backslash always escapes,
// whatever standard_conforming_strings says (a setting a server or a session may change), so doubling
// each backslash and each quote leaves nothing that can end the constant early: the text between the
// quotes is the value, and only the value. The constant is of unknown type, as an untyped parameter
// is, so the server reads it as whatever the statement needs there (a uuid, LIMIT's bigint, a text).
// A Date is written as its instant (ISO 8601, UTC) and typed timestamptz, as postgres.js types one.
//
// NUL cannot be in a Postgres text value (the server refuses it, and the API refuses it in input before
// a statement is written), so it is refused here: an error, never a truncated value.
import { type SQL, sql } from 'drizzle-orm';

export type SqlLiteralValue = string | number | bigint | boolean | Date | null;

/** A value that no literal may carry: a bug upstream, since input is validated before statements are written. */
class NoSqlLiteral extends Error {
  readonly code = 'NO_SQL_LITERAL';
}

function quoted(text: string): string {
  if (text.includes('\0')) throw new NoSqlLiteral('a SQL literal cannot hold NUL');
  return `E'${text.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

/** `value` as the text of a SQL literal. */
export function sqlLiteralText(value: SqlLiteralValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return quoted(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return quoted(value.toString());
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new NoSqlLiteral(`a SQL literal cannot hold ${value}`);
    return quoted(String(value));
  }
  if (Number.isNaN(value.getTime())) throw new NoSqlLiteral('a SQL literal cannot hold an invalid date');
  return `${quoted(value.toISOString())}::timestamptz`;
}

/** `value` as a literal inside a drizzle `sql` template (never a parameter). */
export function sqlLiteral(value: SqlLiteralValue): SQL {
  return sql.raw(sqlLiteralText(value));
}
