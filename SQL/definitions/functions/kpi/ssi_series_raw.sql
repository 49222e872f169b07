-- The reference computation of kpi.ssi_series, from the snapshots: at each bucket's last day within the period,
-- each ambassador's latest snapshot (kpi.ssi_latest_raw). Grain: one row per bucket.
CREATE OR REPLACE FUNCTION kpi.ssi_series_raw(org uuid, from_date date, to_date date, granularity text DEFAULT 'week'::text)
 RETURNS TABLE(bucket date, as_of date, ambassadors bigint, average_total numeric, share_above_75 numeric)
 LANGUAGE sql
 STABLE
AS $function$
        SELECT b.bucket, b.last_day, l.ambassadors, round(l.total / nullif(l.ambassadors, 0), 2),
               round(l.above_75::numeric / nullif(l.ambassadors, 0), 6)
        FROM (
            SELECT b.bucket, least((b.bucket + ('1 ' || granularity)::interval)::date - 1, to_date) AS last_day
            FROM kpi.buckets(from_date, to_date, granularity) AS b (bucket)
        ) AS b
        CROSS JOIN LATERAL (
            SELECT count(*) AS ambassadors, sum(s.total_score) AS total, count(*) FILTER (WHERE s.total_score > 75) AS above_75
            FROM kpi.ssi_latest_raw(org, b.last_day) AS s
        ) AS l
        ORDER BY b.bucket
    $function$;
