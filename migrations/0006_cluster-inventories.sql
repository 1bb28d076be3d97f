CREATE TABLE "cluster_inventories" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"cluster_id" uuid NOT NULL,
	"inventory" jsonb NOT NULL,
	"hash" text NOT NULL,
	"reported_by" text NOT NULL,
	"reported_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cluster_inventories" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "cluster_inventories" ADD CONSTRAINT "cluster_inventories_cluster_id_clusters_id_fk" FOREIGN KEY ("cluster_id") REFERENCES "public"."clusters"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "cluster_inventories_cluster" ON "cluster_inventories" USING btree ("cluster_id");--> statement-breakpoint
CREATE INDEX "cluster_inventories_tenant" ON "cluster_inventories" USING btree ("tenant_id");--> statement-breakpoint
CREATE POLICY "cluster_inventories_tenant_isolation" ON "cluster_inventories" AS PERMISSIVE FOR ALL TO "palisade_app" USING ("cluster_inventories"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("cluster_inventories"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);