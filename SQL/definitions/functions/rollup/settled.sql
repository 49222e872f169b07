-- Whether every day up to `through` of the organisation is maintained (no day <= through queued in
-- rollup.dirty_days, the ambassador marker '-infinity' included): the KPI functions then read the rollups; while
-- not, they compute the same answer from the facts, so that a read never writes and still includes every fact
-- committed before it. Grain: one organisation, up to a day.
CREATE OR REPLACE FUNCTION rollup.settled(org uuid, through date)
 RETURNS boolean
 LANGUAGE sql
 STABLE
AS $function$
    SELECT NOT EXISTS (SELECT FROM rollup.dirty_days AS q WHERE q.organization_id = org AND q.day <= through)
$function$;
