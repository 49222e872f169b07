-- The organisations holding refused items received before `before`: ids only, across tenants (the retention
-- worker reads them before it acts for any organisation). Grain: one row per organisation.
CREATE OR REPLACE FUNCTION ingest.organizations_with_old_refusals(before timestamp with time zone)
 RETURNS SETOF uuid
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'ingest'
AS $function$
    SELECT o.organization_id
    FROM core.organizations AS o
    WHERE EXISTS (SELECT FROM ingest.rejected_items AS r WHERE r.organization_id = o.organization_id AND r.received_at < before)
$function$;
