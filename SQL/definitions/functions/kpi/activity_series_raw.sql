-- Programme activity per day, week (ISO, from Monday) or month, every bucket present even when empty, computed
-- from the posts: the reference, and the filtered view. Grain: one row per bucket.
CREATE OR REPLACE FUNCTION kpi.activity_series_raw(org uuid, from_date date, to_date date, granularity text DEFAULT 'week'::text, team_filter text DEFAULT NULL::text, department_filter text DEFAULT NULL::text, region_filter text DEFAULT NULL::text, network_filter text DEFAULT NULL::text, campaign_filter text DEFAULT NULL::text)
 RETURNS TABLE(bucket date, posts bigint, active_ambassadors bigint, impressions bigint, engagements bigint, engagement_rate numeric)
 LANGUAGE plpgsql
 STABLE
AS $function$
    BEGIN
        RETURN QUERY
        WITH buckets AS (SELECT b AS bucket FROM kpi.buckets(from_date, to_date, granularity) AS b),
        posts AS (
            SELECT date_trunc(granularity, f.posted_on::timestamp)::date AS bucket, f.ambassador_id, f.impressions, f.engagements
            FROM kpi.filtered_posts(org, from_date, to_date, team_filter, department_filter, region_filter, network_filter,
                                    campaign_filter) AS f
        )
        SELECT b.bucket, count(p.ambassador_id), count(DISTINCT p.ambassador_id), coalesce(sum(p.impressions), 0)::bigint,
               coalesce(sum(p.engagements), 0)::bigint, round(sum(p.engagements)::numeric / nullif(sum(p.impressions), 0), 6)
        FROM buckets AS b
        LEFT JOIN posts AS p USING (bucket)
        GROUP BY b.bucket
        ORDER BY b.bucket;
    END
    $function$;
