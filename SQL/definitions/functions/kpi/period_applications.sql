-- Applications received in [from, to] with their current stage: hired (with the days it took) or open (neither
-- hired nor rejected). Grain: one row per application.
CREATE OR REPLACE FUNCTION kpi.period_applications(org uuid, from_date date, to_date date)
 RETURNS TABLE(applied_on date, advocacy boolean, hired boolean, open boolean, days_to_hire double precision)
 LANGUAGE sql
 STABLE
AS $function$
        SELECT (a.applied_at AT TIME ZONE o.time_zone)::date, a.source_channel = 'employee_advocacy', coalesce(s.stage = 'hired', false),
               coalesce(s.stage NOT IN ('hired', 'rejected'), true),
               CASE WHEN s.stage = 'hired' THEN (extract(epoch FROM s.changed_at - a.applied_at) / 86400)::float8 END
        FROM core.organizations AS o
        JOIN fact.applications AS a
          ON a.organization_id = o.organization_id
         AND a.applied_at >= (from_date::timestamp AT TIME ZONE o.time_zone)
         AND a.applied_at < ((to_date + 1)::timestamp AT TIME ZONE o.time_zone)
        LEFT JOIN LATERAL (
            SELECT c.stage, c.changed_at
            FROM fact.application_stage_changes AS c
            WHERE c.organization_id = o.organization_id AND c.application_id = a.application_id
            ORDER BY c.changed_at DESC, c.change_id DESC
            LIMIT 1
        ) AS s ON true
        WHERE o.organization_id = org
    $function$;
