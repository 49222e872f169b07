-- A day's numbers per ambassador and network, per content item, per network, from its posts valued once. Returns
-- whether the numbers the cumulative rows are built from changed (a late visit or lead on a past day changes none
-- of them: no cumulative row to rebuild). Planned as rollup.recompute_day is (a day is a few thousand rows: index
-- lookups, no hashing of tables). Grain: one organisation-day.
CREATE OR REPLACE FUNCTION rollup.recompute_post_days(org uuid, d date)
 RETURNS boolean
 LANGUAGE plpgsql
 SET enable_hashjoin TO 'off'
 SET enable_mergejoin TO 'off'
 SET jit TO 'off'
AS $function$
    DECLARE
        before CONSTANT text := rollup.post_days_text(org, d);
    BEGIN
        DELETE FROM rollup.poster_days WHERE organization_id = org AND day = d;
        DELETE FROM rollup.content_days WHERE organization_id = org AND day = d;
        DELETE FROM rollup.network_days WHERE organization_id = org AND day = d;
        WITH valued AS MATERIALIZED (
            SELECT v.ambassador_id, v.network, v.content_id, v.impressions,
                   v.reactions + v.comments + v.reshares + v.clicks AS engagements,
                   v.impressions_value + v.clicks_value + v.engagement_value AS emv
            FROM kpi.post_values(org, d, d) AS v
        ),
        per_poster AS (
            INSERT INTO rollup.poster_days (organization_id, day, ambassador_id, network, posts, impressions, engagements)
            SELECT org, d, v.ambassador_id, v.network, count(*), sum(v.impressions), sum(v.engagements)
            FROM valued AS v GROUP BY v.ambassador_id, v.network
        ),
        per_content AS (
            INSERT INTO rollup.content_days (organization_id, day, content_id, shares, impressions, engagements)
            SELECT org, d, v.content_id, count(*), sum(v.impressions), sum(v.engagements)
            FROM valued AS v WHERE v.content_id IS NOT NULL GROUP BY v.content_id
        )
        INSERT INTO rollup.network_days (organization_id, day, network, posts, impressions, engagements, emv)
        SELECT org, d, v.network, count(*), sum(v.impressions), sum(v.engagements), coalesce(sum(v.emv), 0)
        FROM valued AS v GROUP BY v.network;
        RETURN rollup.post_days_text(org, d) IS DISTINCT FROM before;
    END
    $function$;
