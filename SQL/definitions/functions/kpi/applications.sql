-- Candidate-level rows, for HR only (the API checks the scope): applications in a period with their current stage,
-- job, source and ambassador. Grain: one row per application.
CREATE OR REPLACE FUNCTION kpi.applications(org uuid, from_date date, to_date date)
 RETURNS TABLE(application_id text, job_id text, applied_at timestamp with time zone, source_channel text, ambassador_id text, stage text, stage_changed_at timestamp with time zone)
 LANGUAGE sql
 STABLE
AS $function$
        SELECT a.application_id, a.job_id, a.applied_at, a.source_channel::text, a.ambassador_id, s.stage::text, s.changed_at
        FROM core.organizations AS o
        JOIN fact.applications AS a
          ON a.organization_id = o.organization_id
         AND a.applied_at >= (from_date::timestamp AT TIME ZONE o.time_zone)
         AND a.applied_at < ((to_date + 1)::timestamp AT TIME ZONE o.time_zone)
        LEFT JOIN LATERAL (
            SELECT c.stage, c.changed_at FROM fact.application_stage_changes AS c
            WHERE c.organization_id = o.organization_id AND c.application_id = a.application_id
            ORDER BY c.changed_at DESC, c.change_id DESC LIMIT 1
        ) AS s ON true
        WHERE o.organization_id = org
        ORDER BY a.applied_at, a.application_id
    $function$;
