CREATE TABLE "flow_intake" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"cluster_id" uuid NOT NULL,
	"node_name" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"window_rows" integer NOT NULL,
	"folded" bigint DEFAULT 0 NOT NULL,
	"dropped" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "flow_intake" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "flow_intake" ADD CONSTRAINT "flow_intake_cluster_id_clusters_id_fk" FOREIGN KEY ("cluster_id") REFERENCES "public"."clusters"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "flow_intake_node" ON "flow_intake" USING btree ("tenant_id","cluster_id","node_name");--> statement-breakpoint
CREATE POLICY "flow_intake_tenant_isolation" ON "flow_intake" AS PERMISSIVE FOR ALL TO "palisade_app" USING ("flow_intake"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("flow_intake"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
-- Plans gained flowRetentionHours and flowRowsPerAgentMinute (policy/plan/limits.ts PLANS): fill each
-- missing key from the tenant's plan, keeping a value already there, as 0010 did for its limits.
UPDATE "tenants" SET "limits" = jsonb_build_object(
  'flowRetentionHours', CASE "plan" WHEN 'team' THEN 168 WHEN 'enterprise' THEN 720 ELSE 24 END,
  'flowRowsPerAgentMinute', CASE "plan" WHEN 'team' THEN 5000 WHEN 'enterprise' THEN 10000 ELSE 2000 END
) || "limits"
WHERE NOT jsonb_exists_all("limits", ARRAY['flowRetentionHours', 'flowRowsPerAgentMinute']);
--> statement-breakpoint
-- The intake counters: one row per node, upserted by each shipped batch.
GRANT SELECT, INSERT, UPDATE ON flow_intake TO palisade_app;
--> statement-breakpoint
-- Over its cap, an agent's entries are folded into the rows of the same flow it stored that minute:
-- only the count, the bytes and the end of the bucket change. Flow logs otherwise stay append-only.
GRANT UPDATE (count, bytes, end_time) ON flow_logs TO palisade_app;
--> statement-breakpoint
-- Flow retention: each tenant keeps its flow logs for its plan's flowRetentionHours. The application
-- role cannot DELETE flow logs; this function is its only way to remove them, and what is expired is
-- decided here (the tenant's stored limit against the database clock), never by the caller: the one
-- argument bounds how many rows one call removes (at most 10,000), so the worker deletes in short
-- transactions with pauses between them. Walking clusters and then each cluster's rows by the
-- (tenant_id, cluster_id, end_time) index reads only expired rows. A tenant missing the limit keeps
-- the longest plan's 30 days: never delete earlier than promised. Returns how many rows went.
CREATE OR REPLACE FUNCTION palisade_expire_flow_logs(batch_size integer)
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  WITH expired AS (
    SELECT e.id
    FROM clusters c
    JOIN tenants t ON t.id = c.tenant_id
    CROSS JOIN LATERAL (
      SELECT f.id FROM flow_logs f
      WHERE f.tenant_id = c.tenant_id AND f.cluster_id = c.id
        AND f.end_time < now() - make_interval(hours => greatest(coalesce((t.limits->>'flowRetentionHours')::integer, 720), 1))
      LIMIT least(greatest(batch_size, 1), 10000)
    ) e
    LIMIT least(greatest(batch_size, 1), 10000)
  ), gone AS (
    DELETE FROM flow_logs f USING expired x WHERE f.id = x.id RETURNING 1
  )
  SELECT count(*) FROM gone
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION palisade_expire_flow_logs(integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION palisade_expire_flow_logs(integer) TO palisade_app;
