-- One group's conversion: counts, rate and 95 % Wilson interval. Grain: one row per group.
CREATE OR REPLACE FUNCTION kpi.rate_group(successes bigint, trials bigint)
 RETURNS jsonb
 LANGUAGE sql
 IMMUTABLE
AS $function$
        SELECT jsonb_build_object('successes', successes, 'trials', trials,
                                  'rate', CASE WHEN trials > 0 THEN round(successes::numeric / trials, 6) END,
                                  'ci95_low', w.low, 'ci95_high', w.high)
        FROM kpi.wilson(successes, trials) AS w
    $function$;
