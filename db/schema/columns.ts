// Column helpers shared by every table, and the tenant-isolation policy every tenant-owned table carries.
import { type SQL, sql } from 'drizzle-orm';
import { type AnyPgColumn, pgPolicy, pgRole, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * The role request transactions run as (`SET LOCAL ROLE`). It owns no table and has no BYPASSRLS, so
 * row-level security always applies to it. Created by the first migration, hence `existing()`.
 */
export const appRole = pgRole('palisade_app').existing();

/**
 * The tenant of the current transaction. `nullif` because a custom setting that was set once in a
 * session reads as '' (not NULL) after its transaction ends, and ''::uuid would raise instead of
 * matching nothing.
 */
export const currentTenant: SQL = sql`nullif(current_setting('app.tenant_id', true), '')::uuid`;

export const id = () => uuid('id').primaryKey();
export const tenantId = () => uuid('tenant_id').notNull();
export const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
export const updatedAt = () => timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();

/** Rows are visible and writable only inside a transaction whose app.tenant_id is their tenant. */
export const tenantIsolation = (table: string, column: AnyPgColumn) =>
  pgPolicy(`${table}_tenant_isolation`, {
    as: 'permissive',
    for: 'all',
    to: appRole,
    using: sql`${column} = ${currentTenant}`,
    withCheck: sql`${column} = ${currentTenant}`,
  });
