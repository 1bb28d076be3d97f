-- Bundle history is bounded: a cluster keeps its last 20 revisions and any revision an agent still
-- reports as applied (agent_status), so an agent can always re-fetch what it enforces. The application
-- role still cannot DELETE from bundles; this function is its only way to remove one, and it takes no
-- argument: what is prunable is decided here, not by the caller. It returns how many bundles went.
CREATE OR REPLACE FUNCTION palisade_prune_bundles()
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  WITH ranked AS (
    SELECT b.id, b.cluster_id, b.revision,
      row_number() OVER (PARTITION BY b.cluster_id ORDER BY b.revision DESC) AS newness
    FROM bundles b
  ), pruned AS (
    DELETE FROM bundles b USING ranked r
    WHERE b.id = r.id AND r.newness > 20
      AND NOT EXISTS (
        SELECT 1 FROM agent_status s WHERE s.cluster_id = r.cluster_id AND s.applied_revision = r.revision
      )
    RETURNING 1
  )
  SELECT count(*) FROM pruned
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION palisade_prune_bundles() FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION palisade_prune_bundles() TO palisade_app;
