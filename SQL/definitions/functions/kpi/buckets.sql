-- The first day of every day, ISO week (from Monday) or month bucket that [from, to] touches. Grain: one row per
-- bucket.
CREATE OR REPLACE FUNCTION kpi.buckets(from_date date, to_date date, granularity text)
 RETURNS SETOF date
 LANGUAGE plpgsql
 IMMUTABLE
AS $function$
    BEGIN
        IF granularity NOT IN ('day', 'week', 'month') THEN
            RAISE EXCEPTION 'unknown granularity "%"', granularity USING ERRCODE = 'invalid_parameter_value', HINT = 'day, week or month';
        END IF;
        RETURN QUERY
        SELECT generate_series(date_trunc(granularity, from_date::timestamp), to_date::timestamp, ('1 ' || granularity)::interval)::date;
    END
    $function$;
