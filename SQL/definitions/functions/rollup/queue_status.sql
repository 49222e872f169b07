-- The maintenance queue at a glance, for the service's metrics: how many organisations have days queued, how
-- many distinct days in all, and how long the oldest entry has waited (0 when nothing is queued). Counts only,
-- across tenants: no organisation id leaves this function. Grain: one row.
CREATE OR REPLACE FUNCTION rollup.queue_status(
    OUT organizations bigint,
    OUT days bigint,
    OUT oldest_age_seconds double precision
)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'rollup'
AS $function$
        SELECT count(DISTINCT q.organization_id),
               count(DISTINCT (q.organization_id, q.day)),
               coalesce(extract(epoch FROM now() - min(q.queued_at))::double precision, 0)
        FROM rollup.dirty_days AS q
    $function$;
