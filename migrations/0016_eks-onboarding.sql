ALTER TABLE "clusters" ADD COLUMN "aws" jsonb;--> statement-breakpoint
ALTER TABLE "clusters" ADD COLUMN "compatibility" jsonb;--> statement-breakpoint
ALTER TABLE "clusters" ADD COLUMN "onboarding_failure" jsonb;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "aws_external_id" text DEFAULT ('palisade-' || replace(gen_random_uuid()::text, '-', '')) NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "tenants_aws_external_id" ON "tenants" USING btree ("aws_external_id");