-- How far a conversion KPI's cohort (the leads created, or the applications received, in the period) has had
-- time to convert, as of a day: how many are still open and their share, the cohort's median age in days, and
-- the conversion within the window (converted within window_days of creation, counted over the cohorts at least
-- window_days old: a rate that a young cohort cannot drag down), compared with the other channels as
-- kpi.compare_rates does. The value is immature when half the cohort is younger than the window: a low rate then
-- says more about the cohort's age than about its conversion. Grain: one row per conversion KPI.
CREATE OR REPLACE FUNCTION kpi.conversion_maturity(as_of date, window_days integer, cohort bigint, open bigint, median_age numeric, converted_within bigint, mature bigint, other_converted_within bigint, other_mature bigint)
 RETURNS jsonb
 LANGUAGE sql
 IMMUTABLE
AS $function$
        SELECT jsonb_build_object(
            'maturity', jsonb_build_object(
                'as_of', as_of,
                'open', open,
                'open_share', round(open::numeric / nullif(cohort, 0), 6),
                'median_age_days', median_age,
                'window_days', window_days,
                'immature', coalesce(median_age < window_days, false)
            ),
            'within_window', jsonb_build_object('window_days', window_days)
                             || kpi.compare_rates(converted_within, mature, other_converted_within, other_mature)
        )
    $function$;
