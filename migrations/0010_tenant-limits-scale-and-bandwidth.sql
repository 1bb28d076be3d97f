-- Plans gained rulesPerEndpoint, cidrsPerSet and bandwidthCeilingBitsPerSecond
-- (policy/plan/limits.ts PLANS). Tenants' limits are copied from their plan at sign-up, so rows
-- written before then lack the new keys: fill each missing key from the tenant's plan, keeping any
-- value already there (a limit negotiated by hand stays). Unknown plans get the free plan's values,
-- as policy/plan/limits.ts tenantLimits reads them.
UPDATE "tenants" SET "limits" = jsonb_build_object(
  'rulesPerEndpoint', CASE "plan" WHEN 'team' THEN 10000 WHEN 'enterprise' THEN 50000 ELSE 1000 END,
  'cidrsPerSet', CASE "plan" WHEN 'team' THEN 10000 WHEN 'enterprise' THEN 100000 ELSE 1000 END,
  'bandwidthCeilingBitsPerSecond', CASE "plan" WHEN 'team' THEN 10000000000 WHEN 'enterprise' THEN 100000000000 ELSE 1000000000 END
) || "limits"
WHERE NOT jsonb_exists_all("limits", ARRAY['rulesPerEndpoint', 'cidrsPerSet', 'bandwidthCeilingBitsPerSecond']);
