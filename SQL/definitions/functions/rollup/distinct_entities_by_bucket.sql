-- Distinct entities of a kind per bucket (see rollup.distinct_entities). Grain: one row per bucket.
CREATE OR REPLACE FUNCTION rollup.distinct_entities_by_bucket(org uuid, entity_kind text, from_date date, to_date date, granularity text)
 RETURNS TABLE(bucket date, seen bigint, first_seen bigint)
 LANGUAGE sql
 STABLE
AS $function$
        SELECT b.bucket, e.seen, e.first_seen
        FROM rollup.daily_buckets(org, from_date, to_date, granularity) AS b,
             rollup.distinct_entities(org, entity_kind, b.first_day, b.last_day) AS e
    $function$;
