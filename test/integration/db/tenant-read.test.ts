// A tenant read (db/tenant-read.ts) sends the tenant's settings and one statement as one message, its
// values written as literals (db/sql-literal.ts). Row-level security rests on the statement running
// after the settings or not at all, and on nothing of them outliving the message; the literals on
// reading back as exactly the value, whatever it holds.

import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, newId, readInTenant, rowsOf, sqlLiteral, tableRows, withTenant } from '../../../db/index.ts';
import { clusters } from '../../../db/schema/index.ts';
import { type OneSessionDatabase, openOneSessionDatabase } from '../../support/one-session-database.ts';

const sessionQuery = sql`select current_user, nullif(current_setting('app.tenant_id', true), '') as tenant`;

describe.each(['postgres', 'pglite'] as const)('tenant reads on %s', (flavour) => {
  let opened: OneSessionDatabase | undefined;
  let database: Database;
  const mine = newId();
  const theirs = newId();
  const clusterRows = tableRows(clusters);

  beforeAll(async () => {
    // One connection, so what a read left behind would be seen by the next query.
    opened = await openOneSessionDatabase(flavour, { [mine]: 'mine', [theirs]: 'theirs' });
    database = opened.database;
    await database.db.insert(clusters).values([
      {
        id: newId(),
        tenantId: mine,
        name: 'prod',
        provider: 'eks',
        aws: { roleArn: 'arn:aws:iam::123456789012:role/palisade', region: 'eu-west-1', clusterName: 'prod' },
      },
      { id: newId(), tenantId: mine, name: 'lab', provider: 'kind' },
      { id: newId(), tenantId: theirs, name: 'prod', provider: 'eks' },
    ]);
  });
  afterAll(() => opened?.close());

  it('runs the statement as the application role with the tenant set, and sees only its rows', async () => {
    expect(await readInTenant(database.db, mine, sessionQuery)).toEqual([{ current_user: 'palisade_app', tenant: mine }]);
    const names = await readInTenant(database.db, mine, sql`select name from clusters order by name`);
    expect(names).toEqual([{ name: 'lab' }, { name: 'prod' }]);
  });

  it('leaves nothing of the settings behind, after a read and after a failed one', async () => {
    const [owner] = rowsOf<{ current_user: string; tenant: string | null }>(await database.db.execute(sessionQuery));
    expect(owner!.current_user).not.toBe('palisade_app');
    await readInTenant(database.db, mine, sessionQuery);
    expect(rowsOf(await database.db.execute(sessionQuery))).toEqual([owner]);
    const failed = await readInTenant(database.db, mine, sql`select 1 / 0`).catch((error: { code?: string; cause?: { code?: string } }) => error);
    // drizzle's PGlite driver wraps the server's error; postgres.js's is the server's own.
    expect((failed as { code?: string }).code ?? (failed as { cause?: { code?: string } }).cause?.code).toBe('22012');
    expect(rowsOf(await database.db.execute(sessionQuery))).toEqual([owner]);
  });

  it('gives rows in the shape and types of drizzle select()', async () => {
    const read = clusterRows.rows(await readInTenant(database.db, mine, sql`select ${clusterRows.columns} from clusters order by id`));
    const selected = await withTenant(database.db, mine, (tx) => tx.select().from(clusters).orderBy(clusters.id));
    expect(read).toEqual(selected);
    expect(read[0]!.createdAt).toBeInstanceOf(Date);
    expect(read[0]!.aws).toMatchObject({ region: 'eu-west-1' });
  });

  it('reads every literal back as exactly its value: no text can end one early', async () => {
    // Lone surrogates have no UTF-8 (the API refuses them in input; tested there): whole characters only.
    const values = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 40 }).filter((text) => !text.includes('\0')),
      // Mostly what could end or bend a literal.
      fc.string({ unit: fc.constantFrom("'", '\\', 'E', ';', '-', ' ', '$', '"'), maxLength: 20 }),
    );
    await fc.assert(
      fc.asyncProperty(values, async (text) => {
        const [row] = await readInTenant(database.db, mine, sql`select ${sqlLiteral(text)}::text as value, count(*)::int as rows from clusters`);
        expect(row).toEqual({ value: text, rows: 2 });
      }),
      { numRuns: 150 },
    );
    for (const forged of ["'; select * from clusters; --", "\\'; reset role; --", "E'\\\\'", '$1', "prod' or 'x' = 'x"]) {
      const found = await readInTenant(database.db, theirs, sql`select name from clusters where name = ${sqlLiteral(forged)}`);
      expect(found).toEqual([]);
    }
    const [typed] = await readInTenant(
      database.db,
      mine,
      sql`select ${sqlLiteral(7)}::int + 1 as n, ${sqlLiteral(new Date('2026-12-07T12:00:00Z'))} as at, ${sqlLiteral(true)} and true as yes`,
    );
    expect(typed).toMatchObject({ n: 8, yes: true });
  });

  it('refuses a statement that carries a parameter, before sending anything', async () => {
    await expect(readInTenant(database.db, mine, sql`select name from clusters where name = ${'prod'}`)).rejects.toMatchObject({
      code: 'PARAMETER_IN_TENANT_READ',
    });
  });
});

describe('tenant reads on postgres, whatever the session says of backslashes', () => {
  it('reads a literal back as its value with standard_conforming_strings off', async () => {
    const tenant = newId();
    const { database, close } = await openOneSessionDatabase('postgres', { [tenant]: 't' });
    try {
      await database.db.execute(sql`set standard_conforming_strings = off`);
      for (const text of ["a\\'b", "\\\\'", "it's", '\\']) {
        expect(await readInTenant(database.db, tenant, sql`select ${sqlLiteral(text)}::text as value`)).toEqual([{ value: text }]);
      }
    } finally {
      await close();
    }
  });
});
