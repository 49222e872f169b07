-- The rollup days of [from, to] by bucket, every bucket present (an empty one has no day). Grain: one row per
-- bucket.
CREATE OR REPLACE FUNCTION rollup.daily_buckets(org uuid, from_date date, to_date date, granularity text)
 RETURNS TABLE(bucket date, first_day date, last_day date, days rollup.daily[])
 LANGUAGE sql
 STABLE
AS $function$
        SELECT b.bucket, greatest(b.bucket, from_date), least((b.bucket + ('1 ' || granularity)::interval)::date - 1, to_date),
               coalesce((SELECT array_agg(d) FROM rollup.daily AS d
                         WHERE d.organization_id = org AND d.day BETWEEN greatest(b.bucket, from_date)
                           AND least((b.bucket + ('1 ' || granularity)::interval)::date - 1, to_date)), '{}')
        FROM kpi.buckets(from_date, to_date, granularity) AS b (bucket)
    $function$;
