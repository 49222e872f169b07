-- The organisations with queued days whose newest entry is older than settled_for, or whose oldest is older than
-- at_most_behind: ids only, across tenants (the worker reads them before it acts for any organisation). Grain: one
-- row per organisation.
CREATE OR REPLACE FUNCTION rollup.organizations_to_maintain(settled_for interval DEFAULT '00:00:00'::interval, at_most_behind interval DEFAULT '00:00:00'::interval)
 RETURNS SETOF uuid
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'rollup'
AS $function$
        SELECT q.organization_id
        FROM rollup.dirty_days AS q
        GROUP BY q.organization_id
        HAVING max(q.queued_at) <= now() - settled_for OR min(q.queued_at) <= now() - at_most_behind
    $function$;
