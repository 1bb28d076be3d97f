-- 0002 granted the application role privileges on the tables that existed then; cluster_inventories
-- came later. One row per cluster, replaced by each report (upsert): select, insert, update; delete
-- too, so a tenant's data can be removed like its other rows.
GRANT SELECT, INSERT, UPDATE, DELETE ON cluster_inventories TO palisade_app;
