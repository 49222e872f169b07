-- Reach and value per bucket from the rollups (from the facts while days are queued, kpi.value_series_raw): impressions, members reached, new audience members, EMV and its
-- parts, programme cost prorated by the days it shares with the bucket, won value of advocacy leads. Grain: one
-- row per bucket.
CREATE OR REPLACE FUNCTION kpi.value_series(org uuid, from_date date, to_date date, granularity text DEFAULT 'week'::text)
 RETURNS TABLE(bucket date, impressions bigint, members_reached bigint, new_audience_members bigint, emv numeric, emv_impressions numeric, emv_clicks numeric, emv_engagements numeric, programme_cost numeric, advocacy_won_value numeric)
 LANGUAGE plpgsql
 STABLE
AS $function$
    #variable_conflict use_column
    BEGIN
        -- Days up to the end of the period still queued: from the facts (rollup.settled), never stale.
        IF NOT rollup.settled(org, to_date) THEN
            RETURN QUERY SELECT * FROM kpi.value_series_raw(org, from_date, to_date, granularity);
            RETURN;
        END IF;
        RETURN QUERY
            SELECT b.bucket, coalesce(d.impressions, 0), coalesce(d.members_reached, 0), m.first_seen,
                   round(coalesce(d.impressions_value + d.clicks_value + d.engagement_value, 0), 2),
                   round(coalesce(d.impressions_value, 0), 2), round(coalesce(d.clicks_value, 0), 2), round(coalesce(d.engagement_value, 0), 2),
                   kpi.period_cost(org, b.first_day, b.last_day), coalesce(d.won_value, 0)
            FROM rollup.daily_buckets(org, from_date, to_date, granularity) AS b
            CROSS JOIN LATERAL (
                SELECT sum(x.impressions)::bigint AS impressions, sum(x.members_reached)::bigint AS members_reached,
                       sum(x.impressions_value) AS impressions_value, sum(x.clicks_value) AS clicks_value,
                       sum(x.engagement_value) AS engagement_value, sum(x.won_value) AS won_value
                FROM unnest(b.days) AS x
            ) AS d
            CROSS JOIN LATERAL rollup.distinct_entities(org, 'member', b.first_day, b.last_day) AS m
            ORDER BY b.bucket;
    END
    $function$;
