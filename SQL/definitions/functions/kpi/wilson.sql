-- The 95 % Wilson score interval of a proportion: sound for small samples and rates near 0 or 1. Grain: one
-- interval per proportion.
CREATE OR REPLACE FUNCTION kpi.wilson(successes bigint, trials bigint, OUT low numeric, OUT high numeric)
 RETURNS record
 LANGUAGE sql
 IMMUTABLE
AS $function$
        SELECT round(((center - half) / denominator)::numeric, 6), round(((center + half) / denominator)::numeric, 6)
        FROM (
            SELECT p + z * z / (2 * n) AS center,
                   z * sqrt(p * (1 - p) / n + z * z / (4 * n * n)) AS half,
                   1 + z * z / n AS denominator
            FROM (SELECT successes::float8 / trials AS p, trials::float8 AS n, 1.959963984540054::float8 AS z) AS inputs
        ) AS parts
        WHERE trials > 0
    $function$;
