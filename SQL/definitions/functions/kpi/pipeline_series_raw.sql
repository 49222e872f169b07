-- Leads and applications created per bucket, advocacy against the others, with their current outcome, computed
-- from the facts: the reference. Grain: one row per bucket.
CREATE OR REPLACE FUNCTION kpi.pipeline_series_raw(org uuid, from_date date, to_date date, granularity text DEFAULT 'week'::text)
 RETURNS TABLE(bucket date, leads bigint, advocacy_leads bigint, advocacy_leads_won bigint, other_leads_won bigint, applications bigint, advocacy_applications bigint, advocacy_hires bigint, other_hires bigint)
 LANGUAGE plpgsql
 STABLE
AS $function$
    BEGIN
        RETURN QUERY
        WITH bounds AS (
            SELECT (from_date::timestamp AT TIME ZONE o.time_zone) AS starts_at,
                   ((to_date + 1)::timestamp AT TIME ZONE o.time_zone) AS ends_at, o.time_zone
            FROM core.organizations AS o WHERE o.organization_id = org
        ),
        buckets AS (SELECT b AS bucket FROM kpi.buckets(from_date, to_date, granularity) AS b),
        leads AS (
            SELECT date_trunc(granularity, (l.created_at AT TIME ZONE b.time_zone))::date AS bucket,
                   l.source_channel = 'employee_advocacy' AS advocacy,
                   (SELECT c.stage = 'won' FROM fact.lead_stage_changes AS c
                    WHERE c.organization_id = org AND c.lead_id = l.lead_id
                    ORDER BY c.changed_at DESC, c.change_id DESC LIMIT 1) AS won
            FROM bounds AS b
            JOIN fact.leads AS l ON l.organization_id = org AND l.created_at >= b.starts_at AND l.created_at < b.ends_at
        ),
        applications AS (
            SELECT date_trunc(granularity, (a.applied_at AT TIME ZONE b.time_zone))::date AS bucket,
                   a.source_channel = 'employee_advocacy' AS advocacy,
                   (SELECT c.stage = 'hired' FROM fact.application_stage_changes AS c
                    WHERE c.organization_id = org AND c.application_id = a.application_id
                    ORDER BY c.changed_at DESC, c.change_id DESC LIMIT 1) AS hired
            FROM bounds AS b
            JOIN fact.applications AS a ON a.organization_id = org AND a.applied_at >= b.starts_at AND a.applied_at < b.ends_at
        ),
        lead_counts AS (
            SELECT l.bucket, count(*) AS leads, count(*) FILTER (WHERE l.advocacy) AS advocacy_leads,
                   count(*) FILTER (WHERE l.advocacy AND l.won) AS advocacy_won, count(*) FILTER (WHERE NOT l.advocacy AND l.won) AS other_won
            FROM leads AS l GROUP BY l.bucket
        ),
        application_counts AS (
            SELECT a.bucket, count(*) AS applications, count(*) FILTER (WHERE a.advocacy) AS advocacy_applications,
                   count(*) FILTER (WHERE a.advocacy AND a.hired) AS advocacy_hires,
                   count(*) FILTER (WHERE NOT a.advocacy AND a.hired) AS other_hires
            FROM applications AS a GROUP BY a.bucket
        )
        SELECT b.bucket, coalesce(l.leads, 0), coalesce(l.advocacy_leads, 0), coalesce(l.advocacy_won, 0), coalesce(l.other_won, 0),
               coalesce(a.applications, 0), coalesce(a.advocacy_applications, 0), coalesce(a.advocacy_hires, 0),
               coalesce(a.other_hires, 0)
        FROM buckets AS b
        LEFT JOIN lead_counts AS l USING (bucket)
        LEFT JOIN application_counts AS a USING (bucket)
        ORDER BY b.bucket;
    END
    $function$;
