-- Programme activity per day, week (ISO, from Monday) or month: posts, active ambassadors, impressions,
-- engagements and engagement rate, every bucket present. From the rollups: with one or two filters, from their
-- slice (rollup.slice_series); with more, or while days up to the period's end are queued (rollup.settled), from
-- the posts (kpi.activity_series_raw). Grain: one row per bucket.
CREATE OR REPLACE FUNCTION kpi.activity_series(org uuid, from_date date, to_date date, granularity text DEFAULT 'week'::text, team_filter text DEFAULT NULL::text, department_filter text DEFAULT NULL::text, region_filter text DEFAULT NULL::text, network_filter text DEFAULT NULL::text, campaign_filter text DEFAULT NULL::text)
 RETURNS TABLE(bucket date, posts bigint, active_ambassadors bigint, impressions bigint, engagements bigint, engagement_rate numeric)
 LANGUAGE plpgsql
 STABLE
AS $function$
    DECLARE
        slice_dims text;
        slice_first text;
        slice_second text;
        slice_by_second boolean;
    BEGIN
        SELECT s.dims, s.first_value, s.second_value, s.by_second INTO slice_dims, slice_first, slice_second, slice_by_second
        FROM rollup.slice_of(team_filter, department_filter, region_filter, network_filter, campaign_filter) AS s;
        -- Days up to the end of the period still queued (rollup.settled), or more filters than a slice has: from the facts.
        IF NOT rollup.settled(org, to_date)
           OR (num_nonnulls(team_filter, department_filter, region_filter, network_filter, campaign_filter) > 0 AND slice_dims IS NULL) THEN
            RETURN QUERY SELECT * FROM kpi.activity_series_raw(org, from_date, to_date, granularity, team_filter, department_filter,
                                                               region_filter, network_filter, campaign_filter);
            RETURN;
        END IF;
        IF slice_dims IS NOT NULL THEN
            RETURN QUERY
            SELECT s.bucket, s.posts, s.active_ambassadors, s.impressions, s.engagements,
                   round(s.engagements::numeric / nullif(s.impressions, 0), 6)
            FROM rollup.slice_series(org, from_date, to_date, granularity, slice_dims, slice_first, slice_second) AS s
            ORDER BY s.bucket;
            RETURN;
        END IF;
        RETURN QUERY
        SELECT b.bucket, coalesce(d.posts, 0), a.seen, coalesce(d.impressions, 0), coalesce(d.engagements, 0),
               round(d.engagements::numeric / nullif(d.impressions, 0), 6)
        FROM rollup.daily_buckets(org, from_date, to_date, granularity) AS b
        CROSS JOIN LATERAL (
            SELECT sum(x.posts)::bigint AS posts, sum(x.impressions)::bigint AS impressions, sum(x.engagements)::bigint AS engagements
            FROM unnest(b.days) AS x
        ) AS d
        CROSS JOIN LATERAL rollup.distinct_entities(org, 'poster', b.first_day, b.last_day) AS a
        ORDER BY b.bucket;
    END
    $function$;
