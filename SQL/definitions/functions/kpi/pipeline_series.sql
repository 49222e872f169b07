-- Leads and applications created per bucket, advocacy against the others, with their current outcome, from the
-- rollups (from the facts while days are queued: kpi.pipeline_series_raw). Grain: one row per bucket.
CREATE OR REPLACE FUNCTION kpi.pipeline_series(org uuid, from_date date, to_date date, granularity text DEFAULT 'week'::text)
 RETURNS TABLE(bucket date, leads bigint, advocacy_leads bigint, advocacy_leads_won bigint, other_leads_won bigint, applications bigint, advocacy_applications bigint, advocacy_hires bigint, other_hires bigint)
 LANGUAGE plpgsql
 STABLE
AS $function$
    #variable_conflict use_column
    BEGIN
        -- Days up to the end of the period still queued: from the facts (rollup.settled), never stale.
        IF NOT rollup.settled(org, to_date) THEN
            RETURN QUERY SELECT * FROM kpi.pipeline_series_raw(org, from_date, to_date, granularity);
            RETURN;
        END IF;
        RETURN QUERY
            SELECT b.bucket, coalesce(d.advocacy_leads + d.other_leads, 0), coalesce(d.advocacy_leads, 0), coalesce(d.advocacy_won, 0),
                   coalesce(d.other_won, 0), coalesce(d.advocacy_applications + d.other_applications, 0),
                   coalesce(d.advocacy_applications, 0), coalesce(d.advocacy_hired, 0), coalesce(d.other_hired, 0)
            FROM rollup.daily_buckets(org, from_date, to_date, granularity) AS b
            CROSS JOIN LATERAL (
                SELECT sum(x.advocacy_leads)::bigint AS advocacy_leads, sum(x.other_leads)::bigint AS other_leads,
                       sum(x.advocacy_won)::bigint AS advocacy_won, sum(x.other_won)::bigint AS other_won,
                       sum(x.advocacy_applications)::bigint AS advocacy_applications,
                       sum(x.other_applications)::bigint AS other_applications, sum(x.advocacy_hired)::bigint AS advocacy_hired,
                       sum(x.other_hired)::bigint AS other_hired
                FROM unnest(b.days) AS x
            ) AS d
            ORDER BY b.bucket;
    END
    $function$;
