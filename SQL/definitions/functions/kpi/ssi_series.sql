-- SSI per bucket: each ambassador's latest snapshot at the bucket's last day (within the period), as
-- kpi.ssi_summary computes it at that date, from the running sum of the days' changes
-- (from the snapshots while days are queued: kpi.ssi_series_raw). Grain: one row per bucket.
CREATE OR REPLACE FUNCTION kpi.ssi_series(org uuid, from_date date, to_date date, granularity text DEFAULT 'week'::text)
 RETURNS TABLE(bucket date, as_of date, ambassadors bigint, average_total numeric, share_above_75 numeric)
 LANGUAGE plpgsql
 STABLE
AS $function$
    #variable_conflict use_column
    BEGIN
        -- Days up to the end of the period still queued: from the facts (rollup.settled), never stale.
        IF NOT rollup.settled(org, to_date) THEN
            RETURN QUERY SELECT * FROM kpi.ssi_series_raw(org, from_date, to_date, granularity);
            RETURN;
        END IF;
        RETURN QUERY
            WITH before AS (
                SELECT coalesce(sum(d.ssi_ambassadors_change), 0) AS ambassadors, coalesce(sum(d.ssi_total_change), 0) AS total,
                       coalesce(sum(d.ssi_above_75_change), 0) AS above_75
                FROM rollup.daily AS d
                WHERE d.organization_id = org AND d.day < from_date
            ),
            running AS (
                SELECT b.bucket, b.last_day,
                       sum(coalesce(c.ambassadors, 0)) OVER (ORDER BY b.bucket) AS ambassadors,
                       sum(coalesce(c.total, 0)) OVER (ORDER BY b.bucket) AS total,
                       sum(coalesce(c.above_75, 0)) OVER (ORDER BY b.bucket) AS above_75
                FROM rollup.daily_buckets(org, from_date, to_date, granularity) AS b
                CROSS JOIN LATERAL (
                    SELECT sum(x.ssi_ambassadors_change) AS ambassadors, sum(x.ssi_total_change) AS total,
                           sum(x.ssi_above_75_change) AS above_75
                    FROM unnest(b.days) AS x
                ) AS c
            )
            SELECT r.bucket, r.last_day, (p.ambassadors + r.ambassadors)::bigint,
                   round((p.total + r.total) / nullif(p.ambassadors + r.ambassadors, 0), 2),
                   round((p.above_75 + r.above_75) / nullif(p.ambassadors + r.ambassadors, 0), 6)
            FROM running AS r, before AS p
            ORDER BY r.bucket;
    END
    $function$;
