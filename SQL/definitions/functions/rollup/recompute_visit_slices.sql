-- A day's visits per value and pair of values of the filter dimensions (rollup.visit_slice_days), and its advocacy
-- visitors with their attribution (rollup.visitor_days). Grain: one organisation-day.
CREATE OR REPLACE FUNCTION rollup.recompute_visit_slices(org uuid, d date)
 RETURNS void
 LANGUAGE plpgsql
 SET jit TO 'off'
AS $function$
    BEGIN
        DELETE FROM rollup.visit_slice_days WHERE organization_id = org AND day = d;
        DELETE FROM rollup.visitor_days WHERE organization_id = org AND day = d;
        WITH visits AS MATERIALIZED (
            SELECT v.visitor_hash, v.is_advocacy, v.careers, v.ambassador_id, v.team, v.department, v.region,
                   lower(v.utm_source) AS network, v.utm_campaign AS campaign
            FROM kpi.attributed_visits(org, d, d) AS v
        ),
        visitors AS (
            INSERT INTO rollup.visitor_days (organization_id, day, visitor_hash, team, department, region, network, campaign)
            SELECT DISTINCT org, d, v.visitor_hash, v.team, v.department, v.region, v.network, v.campaign
            FROM visits AS v WHERE v.is_advocacy
        ),
        -- GROUPING(...) has a bit set for each dimension a row is not grouped by: team 16 ... campaign 1.
        per_slice AS (
            SELECT GROUPING(v.team, v.department, v.region, v.network, v.campaign) AS absent,
                   v.team, v.department, v.region, v.network, v.campaign, count(*) AS visits,
                   count(*) FILTER (WHERE v.is_advocacy) AS advocacy_visits,
                   count(*) FILTER (WHERE v.ambassador_id IS NOT NULL) AS attributed_visits,
                   count(*) FILTER (WHERE v.careers) AS careers_visits,
                   count(*) FILTER (WHERE v.careers AND v.is_advocacy) AS careers_advocacy_visits,
                   count(DISTINCT v.visitor_hash) FILTER (WHERE v.is_advocacy) AS advocacy_visitors
            FROM visits AS v
            GROUP BY GROUPING SETS ((v.team), (v.department), (v.region), (v.network), (v.campaign),
                                    (v.team, v.department), (v.team, v.region), (v.team, v.network), (v.team, v.campaign),
                                    (v.department, v.region), (v.department, v.network), (v.department, v.campaign),
                                    (v.region, v.network), (v.region, v.campaign), (v.network, v.campaign))
        )
        INSERT INTO rollup.visit_slice_days (organization_id, day, dimensions, value1, value2, visits, advocacy_visits,
                                             attributed_visits, careers_visits, careers_advocacy_visits, advocacy_visitors)
        SELECT org, d, k.dimensions, k.value1, k.value2, s.visits, s.advocacy_visits, s.attributed_visits, s.careers_visits,
               s.careers_advocacy_visits, s.advocacy_visitors
        FROM per_slice AS s
        CROSS JOIN LATERAL rollup.slice_key(s.absent, s.team, s.department, s.region, s.network, s.campaign) AS k
        -- No filter selects an unknown value.
        WHERE k.value1 IS NOT NULL AND k.value2 IS NOT NULL;
    END
    $function$;
