// Start-up refuses to serve if tenant isolation would not hold: the application role must be a plain
// role, own nothing, and every table it can reach must have row-level security with a policy.
import { sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { rowsOf } from './migrate.ts';
import { APP_ROLE, withoutTenant } from './tenant-transaction.ts';

export class TenantIsolationError extends Error {
  readonly code = 'TENANT_ISOLATION_UNSAFE';
}

export async function assertTenantIsolation(db: Db): Promise<void> {
  const problems = await withoutTenant(db, async (tx) => {
    const found: string[] = [];
    const [role] = rowsOf<{ current_user: string; rolsuper: boolean; rolbypassrls: boolean }>(
      await tx.execute(sql`select current_user, rolsuper, rolbypassrls from pg_roles where rolname = current_user`),
    );
    if (!role || role.current_user !== APP_ROLE) found.push(`requests run as ${role?.current_user}, not ${APP_ROLE}`);
    if (role?.rolsuper) found.push(`${APP_ROLE} is a superuser`);
    if (role?.rolbypassrls) found.push(`${APP_ROLE} has BYPASSRLS`);
    const reachable = rowsOf<{ relname: string; relrowsecurity: boolean; owner: string; policies: number }>(
      await tx.execute(sql`
        select c.relname, c.relrowsecurity, pg_get_userbyid(c.relowner) as owner,
               (select count(*)::int from pg_policy p where p.polrelid = c.oid) as policies
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind = 'r'
          and has_table_privilege(current_user, c.oid, 'select')`),
    );
    for (const table of reachable) {
      if (table.owner === APP_ROLE) found.push(`${APP_ROLE} owns ${table.relname}`);
      if (!table.relrowsecurity) found.push(`row-level security is off on ${table.relname}`);
      if (table.policies === 0) found.push(`${table.relname} has no row-level security policy`);
    }
    return found;
  });
  if (problems.length > 0) {
    throw new TenantIsolationError(`Refusing to start, tenant isolation would not hold: ${problems.join('; ')}`);
  }
}
