-- What the application role may do. Bundles and the audit log are append-only for it.
GRANT USAGE ON SCHEMA public TO palisade_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO palisade_app;
--> statement-breakpoint
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO palisade_app;
--> statement-breakpoint
REVOKE UPDATE, DELETE ON bundles, audit_log FROM palisade_app;
--> statement-breakpoint
REVOKE ALL ON palisade_migrations FROM palisade_app;
--> statement-breakpoint
-- A credential has to be found before its tenant is known, and RLS hides every row until then. These two
-- functions are the only way across: they run as the owner, take a hash and return the one credential's
-- binding, nothing else.
CREATE OR REPLACE FUNCTION palisade_authenticate_api_key(key_hash text)
RETURNS TABLE (key_id uuid, tenant_id uuid, member_id uuid, role text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT k.id, k.tenant_id, k.member_id, k.role FROM api_keys k WHERE k.hash = key_hash AND k.revoked_at IS NULL
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION palisade_authenticate_agent_token(token_hash text)
RETURNS TABLE (token_id uuid, tenant_id uuid, cluster_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT t.id, t.tenant_id, t.cluster_id FROM agent_tokens t JOIN clusters c ON c.id = t.cluster_id
  WHERE t.hash = token_hash AND t.revoked_at IS NULL AND c.deleted_at IS NULL
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION palisade_authenticate_api_key(text), palisade_authenticate_agent_token(text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION palisade_authenticate_api_key(text), palisade_authenticate_agent_token(text) TO palisade_app;
