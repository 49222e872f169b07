-- Applications created per bucket, advocacy against the others, with the hires among them: the candidate half of
-- kpi.pipeline_series, which is all an HR reader may see of the funnel (no leads). Grain: one row per bucket.
CREATE OR REPLACE FUNCTION kpi.hiring_series(org uuid, from_date date, to_date date, granularity text DEFAULT 'week'::text)
 RETURNS TABLE(bucket date, applications bigint, advocacy_applications bigint, advocacy_hires bigint, other_hires bigint)
 LANGUAGE sql
 STABLE
AS $function$
        SELECT p.bucket, p.applications, p.advocacy_applications, p.advocacy_hires, p.other_hires
        FROM kpi.pipeline_series(org, from_date, to_date, granularity) AS p
    $function$;
