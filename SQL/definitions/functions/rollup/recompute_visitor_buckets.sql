-- The unique advocacy visitors of the weeks and months of the given days, per slice (rollup.visitor_slice_buckets),
-- from the visitor-days: after rollup.maintain recomputed those days. Grain: one organisation, a set of days.
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
            DELETE FROM rollup.visitor_slice_buckets AS b
            WHERE b.organization_id = org AND b.granularity = grain AND b.bucket = starts;
            INSERT INTO rollup.visitor_slice_buckets (organization_id, granularity, bucket, dimensions, value1, value2, advocacy_visitors)
            SELECT org, grain, starts, k.dimensions, k.value1, k.value2, s.visitors
            FROM (
                SELECT GROUPING(v.team, v.department, v.region, v.network, v.campaign) AS absent,
                       v.team, v.department, v.region, v.network, v.campaign, count(DISTINCT v.visitor_hash) AS visitors
                FROM rollup.visitor_days AS v
                WHERE v.organization_id = org AND v.day BETWEEN starts AND (starts + ('1 ' || grain)::interval)::date - 1
                GROUP BY GROUPING SETS ((v.team), (v.department), (v.region), (v.network), (v.campaign),
                                        (v.team, v.department), (v.team, v.region), (v.team, v.network), (v.team, v.campaign),
                                        (v.department, v.region), (v.department, v.network), (v.department, v.campaign),
                                        (v.region, v.network), (v.region, v.campaign), (v.network, v.campaign))
            ) AS s
            CROSS JOIN LATERAL rollup.slice_key(s.absent, s.team, s.department, s.region, s.network, s.campaign) AS k
            WHERE k.value1 IS NOT NULL AND k.value2 IS NOT NULL;
        END LOOP;
    END
    $function$;
