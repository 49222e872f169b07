-- Website traffic per bucket computed from the visits: all visits, advocacy visits (attributed or not) and their
-- share, unique advocacy visitors, careers-portal visits. Team, department and region filters keep the advocacy
-- visits attributed to those ambassadors; network and campaign filter on utm_source and utm_campaign. Grain: one
-- row per bucket.
CREATE OR REPLACE FUNCTION kpi.traffic_series_raw(org uuid, from_date date, to_date date, granularity text DEFAULT 'week'::text, team_filter text DEFAULT NULL::text, department_filter text DEFAULT NULL::text, region_filter text DEFAULT NULL::text, network_filter text DEFAULT NULL::text, campaign_filter text DEFAULT NULL::text)
 RETURNS TABLE(bucket date, visits bigint, advocacy_visits bigint, advocacy_share numeric, advocacy_unique_visitors bigint, attributed_visits bigint, careers_visits bigint, careers_advocacy_visits bigint)
 LANGUAGE plpgsql
 STABLE
AS $function$
    BEGIN
        RETURN QUERY
        WITH buckets AS (SELECT b AS bucket FROM kpi.buckets(from_date, to_date, granularity) AS b),
        visits AS (
            SELECT date_trunc(granularity, v.visited_on::timestamp)::date AS bucket, v.*
            FROM kpi.attributed_visits(org, from_date, to_date) AS v
            WHERE (team_filter IS NULL OR v.team = team_filter)
              AND (department_filter IS NULL OR v.department = department_filter)
              AND (region_filter IS NULL OR v.region = region_filter)
              AND (network_filter IS NULL OR lower(v.utm_source) = network_filter)
              AND (campaign_filter IS NULL OR v.utm_campaign = campaign_filter)
        )
        SELECT b.bucket, count(v.bucket), count(v.bucket) FILTER (WHERE v.is_advocacy),
               round((count(v.bucket) FILTER (WHERE v.is_advocacy))::numeric / nullif(count(v.bucket), 0), 6),
               count(DISTINCT v.visitor_hash) FILTER (WHERE v.is_advocacy),
               count(v.bucket) FILTER (WHERE v.ambassador_id IS NOT NULL),
               count(v.bucket) FILTER (WHERE v.careers), count(v.bucket) FILTER (WHERE v.careers AND v.is_advocacy)
        FROM buckets AS b
        LEFT JOIN visits AS v USING (bucket)
        GROUP BY b.bucket
        ORDER BY b.bucket;
    END
    $function$;
