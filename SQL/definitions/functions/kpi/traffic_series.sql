-- Website traffic per bucket: visits, advocacy visits and their share, unique advocacy visitors, attributed and
-- careers-portal visits. From the rollups: with one or two filters, from their slice (rollup.visit_slice_series);
-- with more, or while days are queued (rollup.settled), from the visits (kpi.traffic_series_raw). Grain: one row
-- per bucket.
CREATE OR REPLACE FUNCTION kpi.traffic_series(org uuid, from_date date, to_date date, granularity text DEFAULT 'week'::text, team_filter text DEFAULT NULL::text, department_filter text DEFAULT NULL::text, region_filter text DEFAULT NULL::text, network_filter text DEFAULT NULL::text, campaign_filter text DEFAULT NULL::text)
 RETURNS TABLE(bucket date, visits bigint, advocacy_visits bigint, advocacy_share numeric, advocacy_unique_visitors bigint, attributed_visits bigint, careers_visits bigint, careers_advocacy_visits bigint)
 LANGUAGE plpgsql
 STABLE
AS $function$
    DECLARE
        slice_dims text;
        slice_first text;
        slice_second text;
    BEGIN
        SELECT s.dims, s.first_value, s.second_value INTO slice_dims, slice_first, slice_second
        FROM rollup.slice_of(team_filter, department_filter, region_filter, network_filter, campaign_filter) AS s;
        -- Days up to the end of the period still queued (rollup.settled), or more filters than a slice has: from the facts.
        IF NOT rollup.settled(org, to_date)
           OR (num_nonnulls(team_filter, department_filter, region_filter, network_filter, campaign_filter) > 0 AND slice_dims IS NULL) THEN
            RETURN QUERY SELECT * FROM kpi.traffic_series_raw(org, from_date, to_date, granularity, team_filter, department_filter,
                                                              region_filter, network_filter, campaign_filter);
            RETURN;
        END IF;
        IF slice_dims IS NOT NULL THEN
            RETURN QUERY
            SELECT s.bucket, s.visits, s.advocacy_visits, round(s.advocacy_visits::numeric / nullif(s.visits, 0), 6),
                   s.advocacy_unique_visitors, s.attributed_visits, s.careers_visits, s.careers_advocacy_visits
            FROM rollup.visit_slice_series(org, from_date, to_date, granularity, slice_dims, slice_first, slice_second, team_filter,
                                           department_filter, region_filter, network_filter, campaign_filter) AS s
            ORDER BY s.bucket;
            RETURN;
        END IF;
        RETURN QUERY
        SELECT b.bucket, coalesce(d.visits, 0), coalesce(d.advocacy_visits, 0),
               round(d.advocacy_visits::numeric / nullif(d.visits, 0), 6), v.seen, coalesce(d.attributed_visits, 0),
               coalesce(d.careers_visits, 0), coalesce(d.careers_advocacy_visits, 0)
        FROM rollup.daily_buckets(org, from_date, to_date, granularity) AS b
        CROSS JOIN LATERAL (
            SELECT sum(x.visits)::bigint AS visits, sum(x.advocacy_visits)::bigint AS advocacy_visits,
                   sum(x.attributed_visits)::bigint AS attributed_visits, sum(x.careers_visits)::bigint AS careers_visits,
                   sum(x.careers_advocacy_visits)::bigint AS careers_advocacy_visits
            FROM unnest(b.days) AS x
        ) AS d
        CROSS JOIN LATERAL rollup.distinct_entities(org, 'visitor', b.first_day, b.last_day) AS v
        ORDER BY b.bucket;
    END
    $function$;
