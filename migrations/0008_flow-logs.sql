CREATE TABLE "flow_logs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"cluster_id" uuid NOT NULL,
	"node_name" text NOT NULL,
	"start_time" timestamp with time zone NOT NULL,
	"end_time" timestamp with time zone NOT NULL,
	"endpoint" text NOT NULL,
	"direction" text NOT NULL,
	"remote" text NOT NULL,
	"protocol" integer NOT NULL,
	"port" integer NOT NULL,
	"kind" text NOT NULL,
	"rule" jsonb,
	"pending_verdict" text,
	"pending_rule" jsonb,
	"count" integer NOT NULL,
	"bytes" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "flow_logs" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "flow_logs" ADD CONSTRAINT "flow_logs_cluster_id_clusters_id_fk" FOREIGN KEY ("cluster_id") REFERENCES "public"."clusters"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "flow_logs_cluster_time" ON "flow_logs" USING btree ("tenant_id","cluster_id","end_time");--> statement-breakpoint
CREATE POLICY "flow_logs_tenant_isolation" ON "flow_logs" AS PERMISSIVE FOR ALL TO "palisade_app" USING ("flow_logs"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("flow_logs"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);