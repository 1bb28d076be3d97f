-- The role every request transaction switches to with SET LOCAL ROLE. NOLOGIN: nobody connects as it;
-- NOBYPASSRLS and owning no table, so row-level security always applies to it. Roles are cluster-wide,
-- so several databases (tests, tenants of a shared server) may race to create it: tolerate that.
DO $$
BEGIN
  CREATE ROLE palisade_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;
--> statement-breakpoint
-- The migration owner must be able to SET ROLE to it.
DO $$
BEGIN
  EXECUTE format('GRANT palisade_app TO %I', current_user);
EXCEPTION WHEN duplicate_object OR unique_violation OR invalid_grant_operation THEN
  NULL;
END
$$;
