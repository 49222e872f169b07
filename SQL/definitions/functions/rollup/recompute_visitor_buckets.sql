-- The unique advocacy visitors of the weeks and months of the given days, per slice (rollup.visitor_bucket_days),
-- from the visitor-days: after rollup.maintain recomputed those days. Each visitor's first and last day of the
-- bucket in the slice are counted, and the running counts of those days, forwards and backwards, are the bucket's
-- visitors through each day and from each day. Grain: one organisation, a set of days.
CREATE OR REPLACE FUNCTION rollup.recompute_visitor_buckets(org uuid, days date[])
 RETURNS void
 LANGUAGE plpgsql
 SET jit TO 'off'
AS $function$
    DECLARE
        grain text;
        starts date;
    BEGIN
        FOR grain, starts IN
            SELECT DISTINCT g.grain, date_trunc(g.grain, d.day::timestamp)::date
            FROM unnest(days) AS d (day) CROSS JOIN (VALUES ('week'), ('month')) AS g (grain)
            WHERE isfinite(d.day)
        LOOP
            DELETE FROM rollup.visitor_bucket_days AS b
            WHERE b.organization_id = org AND b.granularity = grain AND b.bucket = starts;
            INSERT INTO rollup.visitor_bucket_days (organization_id, granularity, bucket, dimensions, value1, value2, day,
                                                    visitors_through, visitors_from)
            WITH spans AS (
                SELECT GROUPING(v.team, v.department, v.region, v.network, v.campaign) AS absent,
                       v.team, v.department, v.region, v.network, v.campaign, min(v.day) AS first_day, max(v.day) AS last_day
                FROM rollup.visitor_days AS v
                WHERE v.organization_id = org AND v.day BETWEEN starts AND (starts + ('1 ' || grain)::interval)::date - 1
                GROUP BY v.visitor_hash,
                         GROUPING SETS ((v.team), (v.department), (v.region), (v.network), (v.campaign),
                                        (v.team, v.department), (v.team, v.region), (v.team, v.network), (v.team, v.campaign),
                                        (v.department, v.region), (v.department, v.network), (v.department, v.campaign),
                                        (v.region, v.network), (v.region, v.campaign), (v.network, v.campaign))
            ),
            edges AS (
                SELECT k.dimensions, k.value1, k.value2, e.day, sum(e.firsts) AS firsts, sum(e.lasts) AS lasts
                FROM spans AS s
                CROSS JOIN LATERAL rollup.slice_key(s.absent, s.team, s.department, s.region, s.network, s.campaign) AS k
                CROSS JOIN LATERAL (VALUES (s.first_day, 1, 0), (s.last_day, 0, 1)) AS e (day, firsts, lasts)
                WHERE k.value1 IS NOT NULL AND k.value2 IS NOT NULL
                GROUP BY k.dimensions, k.value1, k.value2, e.day
            )
            SELECT org, grain, starts, e.dimensions, e.value1, e.value2, e.day,
                   sum(e.firsts) OVER (PARTITION BY e.dimensions, e.value1, e.value2 ORDER BY e.day),
                   sum(e.lasts) OVER (PARTITION BY e.dimensions, e.value1, e.value2 ORDER BY e.day DESC)
            FROM edges AS e;
        END LOOP;
    END
    $function$;
