-- The named periods, as calendar days in the organisation's time zone, today included. Grain: one period.
CREATE OR REPLACE FUNCTION kpi.named_period(org uuid, period text, OUT from_date date, OUT to_date date)
 RETURNS record
 LANGUAGE plpgsql
 STABLE
AS $function$
    DECLARE
        today date;
    BEGIN
        SELECT (now() AT TIME ZONE o.time_zone)::date INTO today FROM core.organizations AS o WHERE o.organization_id = org;
        CASE period
            WHEN 'last_7_days' THEN from_date := today - 6; to_date := today;
            WHEN 'last_30_days' THEN from_date := today - 29; to_date := today;
            WHEN 'this_month' THEN from_date := date_trunc('month', today)::date; to_date := today;
            WHEN 'last_month' THEN
                from_date := (date_trunc('month', today) - interval '1 month')::date;
                to_date := (date_trunc('month', today) - interval '1 day')::date;
            WHEN 'this_quarter' THEN from_date := date_trunc('quarter', today)::date; to_date := today;
            WHEN 'year_to_date' THEN from_date := date_trunc('year', today)::date; to_date := today;
            ELSE RAISE EXCEPTION 'unknown period "%"', period
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'last_7_days, last_30_days, this_month, last_month, this_quarter or year_to_date';
        END CASE;
    END
    $function$;
