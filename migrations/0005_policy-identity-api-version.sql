DROP INDEX "policies_identity";--> statement-breakpoint
CREATE UNIQUE INDEX "policies_identity" ON "policies" USING btree ("tenant_id","cluster_id","api_version","kind","namespace","name");