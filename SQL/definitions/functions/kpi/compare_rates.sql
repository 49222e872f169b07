-- Two groups' conversion compared: each group's rate and interval, the lift (rate a / rate b) with its 95 %
-- interval (Katz's log method), whether the samples are large enough for that interval (enough_data: 5 successes
-- and 5 failures in each group) and whether the difference is significant (enough data, and the lift's interval
-- excludes 1). Grain: one row per comparison.
CREATE OR REPLACE FUNCTION kpi.compare_rates(won_a bigint, n_a bigint, won_b bigint, n_b bigint)
 RETURNS jsonb
 LANGUAGE sql
 IMMUTABLE
AS $function$
        SELECT jsonb_build_object(
            'advocacy', kpi.rate_group(won_a, n_a),
            'others', kpi.rate_group(won_b, n_b),
            'lift', CASE WHEN n_a > 0 AND won_b > 0 THEN round((won_a::numeric / n_a) / (won_b::numeric / n_b), 4) END,
            'lift_ci95_low', round(exp(log_lift - margin)::numeric, 4),
            'lift_ci95_high', round(exp(log_lift + margin)::numeric, 4),
            'enough_data', enough_data,
            'significant', significant,
            'note', CASE WHEN NOT enough_data
                         THEN 'too few cases to conclude: each group needs at least 5 successes and 5 failures'
                         WHEN NOT significant
                         THEN 'the difference may be chance: the lift''s 95 % interval includes 1' END
        )
        FROM (
            SELECT p.*, p.enough_data AND (p.log_lift - p.margin > 0 OR p.log_lift + p.margin < 0) AS significant
            FROM (
                SELECT CASE WHEN won_a > 0 AND won_b > 0 THEN ln((won_a::float8 / n_a) / (won_b::float8 / n_b)) END AS log_lift,
                       CASE WHEN won_a > 0 AND won_b > 0
                            THEN 1.959963984540054 * sqrt(1.0 / won_a - 1.0 / n_a + 1.0 / won_b - 1.0 / n_b) END AS margin,
                       -- The usual rule of thumb for a normal approximation: 5 successes and 5 failures per group.
                       won_a >= 5 AND n_a - won_a >= 5 AND won_b >= 5 AND n_b - won_b >= 5 AS enough_data
            ) AS p
        ) AS parts
    $function$;
