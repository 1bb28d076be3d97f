CREATE TABLE "invites" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"email" text NOT NULL,
	"role" text NOT NULL,
	"hash" text NOT NULL,
	"invited_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"accepted_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "invites" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"member_id" uuid NOT NULL,
	"hash" text NOT NULL,
	"csrf_token" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sessions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "members" ADD COLUMN "password_hash" text;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "invites_hash" ON "invites" USING btree ("hash");--> statement-breakpoint
CREATE INDEX "invites_tenant" ON "invites" USING btree ("tenant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "sessions_hash" ON "sessions" USING btree ("hash");--> statement-breakpoint
CREATE INDEX "sessions_member" ON "sessions" USING btree ("tenant_id","member_id");--> statement-breakpoint
CREATE INDEX "audit_log_tenant_id" ON "audit_log" USING btree ("tenant_id","id");--> statement-breakpoint
CREATE POLICY "invites_tenant_isolation" ON "invites" AS PERMISSIVE FOR ALL TO "palisade_app" USING ("invites"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("invites"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "sessions_tenant_isolation" ON "sessions" AS PERMISSIVE FOR ALL TO "palisade_app" USING ("sessions"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("sessions"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
-- Hand-written: what the application role may do with the new tables, and the three ways across
-- row-level security before a tenant is known (a session cookie, a sign-in by email, an invite token).
-- Like the API-key function, each runs as the owner, takes a hash or an email and returns only what
-- that one caller needs.
GRANT SELECT, INSERT, UPDATE, DELETE ON sessions, invites TO palisade_app;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION palisade_authenticate_session(session_hash text)
RETURNS TABLE (session_id uuid, tenant_id uuid, member_id uuid, email text, role text, csrf_token text, expires_at timestamptz, ends_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT s.id, s.tenant_id, s.member_id, m.email, m.role, s.csrf_token, s.expires_at, s.ends_at
  FROM sessions s JOIN members m ON m.id = s.member_id
  WHERE s.hash = session_hash AND s.expires_at > now() AND s.ends_at > now()
$$;
--> statement-breakpoint
-- Every tenant where the email may sign in (an email may belong to several tenants).
CREATE OR REPLACE FUNCTION palisade_sign_in_candidates(sign_in_email text)
RETURNS TABLE (member_id uuid, tenant_id uuid, password_hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT m.id, m.tenant_id, m.password_hash FROM members m
  WHERE lower(m.email) = lower(sign_in_email) AND m.password_hash IS NOT NULL
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION palisade_find_invite(invite_hash text)
RETURNS TABLE (invite_id uuid, tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT i.id, i.tenant_id FROM invites i
  WHERE i.hash = invite_hash AND i.accepted_at IS NULL AND i.expires_at > now()
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION palisade_authenticate_session(text), palisade_sign_in_candidates(text), palisade_find_invite(text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION palisade_authenticate_session(text), palisade_sign_in_candidates(text), palisade_find_invite(text) TO palisade_app;
