-- Posting results of one slice (rollup.slice_days: one or two dimensions and their values) per day, week or month
-- bucket of [from, to], every bucket present: posts, active ambassadors (the bits of the OR of the bucket's
-- bitmaps), impressions, engagements. Grain: one row per bucket.
CREATE OR REPLACE FUNCTION rollup.slice_series(org uuid, from_date date, to_date date, granularity text, dims text, first_value text, second_value text)
 RETURNS TABLE(bucket date, posts bigint, active_ambassadors bigint, impressions bigint, engagements bigint)
 LANGUAGE sql
 STABLE
AS $function$
        SELECT b.bucket, coalesce(s.posts, 0), coalesce(s.active, 0), coalesce(s.impressions, 0), coalesce(s.engagements, 0)
        FROM kpi.buckets(from_date, to_date, granularity) AS b (bucket)
        CROSS JOIN rollup.poster_zeros(org) AS z (zeros)
        LEFT JOIN LATERAL (
            SELECT sum(x.posts)::bigint AS posts, bit_count(bit_or(rollup.widened(x.posters, z.zeros))) AS active,
                   sum(x.impressions)::bigint AS impressions, sum(x.engagements)::bigint AS engagements
            FROM rollup.slice_days AS x
            WHERE x.organization_id = org AND x.dimensions = dims AND x.value1 = first_value AND x.value2 = second_value
              AND x.day BETWEEN greatest(b.bucket, from_date) AND least((b.bucket + ('1 ' || granularity)::interval)::date - 1, to_date)
        ) AS s ON true
    $function$;
