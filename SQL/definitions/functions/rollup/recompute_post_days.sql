-- A day's numbers per ambassador and network, per content item, per value and pair of values of the filter
-- dimensions (rollup.slice_days) and per entity and value of a dimension it does not carry
-- (rollup.entity_slice_days) or pair of values (rollup.entity_pair_days), from its posts valued once. Returns whether the numbers the cumulative rows are
-- built from changed (a late visit or lead on a past day changes none of them: no cumulative row to rebuild).
-- Planned as rollup.recompute_day is (a day is a few thousand rows: index lookups, no hashing of tables). Grain:
-- one organisation-day.
CREATE OR REPLACE FUNCTION rollup.recompute_post_days(org uuid, d date)
 RETURNS boolean
 LANGUAGE plpgsql
 SET enable_hashjoin TO 'off'
 SET enable_mergejoin TO 'off'
 SET jit TO 'off'
AS $function$
    DECLARE
        before CONSTANT text := rollup.post_days_text(org, d);
        -- Every poster of the day has an ordinal before its bit is set.
        ordinals CONSTANT jsonb := rollup.poster_ordinals(org, d);
        zeros CONSTANT varbit := rollup.poster_zeros(org);
    BEGIN
        DELETE FROM rollup.poster_days WHERE organization_id = org AND day = d;
        DELETE FROM rollup.content_days WHERE organization_id = org AND day = d;
        DELETE FROM rollup.slice_days WHERE organization_id = org AND day = d;
        DELETE FROM rollup.entity_slice_days WHERE organization_id = org AND day = d;
        DELETE FROM rollup.entity_pair_days WHERE organization_id = org AND day = d;
        WITH valued AS MATERIALIZED (
            SELECT v.ambassador_id, v.network::text AS network, v.content_id, v.impressions,
                   v.reactions + v.comments + v.reshares + v.clicks AS engagements,
                   v.impressions_value + v.clicks_value + v.engagement_value AS emv,
                   a.team, a.department, a.region, c.campaign, (ordinals ->> v.ambassador_id)::integer AS ordinal
            FROM kpi.post_values(org, d, d) AS v
            LEFT JOIN core.ambassadors AS a ON a.organization_id = org AND a.ambassador_id = v.ambassador_id
            LEFT JOIN core.content_items AS c ON c.organization_id = org AND c.content_id = v.content_id
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
        ),
        per_entity_slice AS (
            INSERT INTO rollup.entity_slice_days (organization_id, day, axis, dimension, value, entity_id, posts, impressions, engagements)
            SELECT org, d, x.axis, x.dimension, x.value, x.entity_id, count(*), sum(v.impressions), sum(v.engagements)
            FROM valued AS v
            CROSS JOIN LATERAL (VALUES ('poster', 'network', v.network, v.ambassador_id), ('poster', 'campaign', v.campaign, v.ambassador_id),
                                       ('content', 'team', v.team, v.content_id), ('content', 'department', v.department, v.content_id),
                                       ('content', 'region', v.region, v.content_id), ('content', 'network', v.network, v.content_id))
                AS x (axis, dimension, value, entity_id)
            WHERE x.value IS NOT NULL AND x.entity_id IS NOT NULL
            GROUP BY x.axis, x.dimension, x.value, x.entity_id
        ),
        per_entity_pair AS (
            INSERT INTO rollup.entity_pair_days (organization_id, axis, dimensions, value1, value2, day, entity_id, posts, impressions, engagements)
            SELECT org, x.axis, x.dimensions, x.value1, x.value2, d, x.entity_id, count(*), sum(v.impressions), sum(v.engagements)
            FROM valued AS v
            CROSS JOIN LATERAL (VALUES ('poster', 'network,campaign', v.network, v.campaign, v.ambassador_id),
                                       ('content', 'team,department', v.team, v.department, v.content_id),
                                       ('content', 'team,region', v.team, v.region, v.content_id),
                                       ('content', 'team,network', v.team, v.network, v.content_id),
                                       ('content', 'department,region', v.department, v.region, v.content_id),
                                       ('content', 'department,network', v.department, v.network, v.content_id),
                                       ('content', 'region,network', v.region, v.network, v.content_id))
                AS x (axis, dimensions, value1, value2, entity_id)
            WHERE x.value1 IS NOT NULL AND x.value2 IS NOT NULL AND x.entity_id IS NOT NULL
            GROUP BY x.axis, x.dimensions, x.value1, x.value2, x.entity_id
        ),
        per_slice AS (
            SELECT GROUPING(v.team, v.department, v.region, v.network, v.campaign) AS absent,
                   v.team, v.department, v.region, v.network, v.campaign, count(*) AS posts, sum(v.impressions) AS impressions,
                   sum(v.engagements) AS engagements, coalesce(sum(v.emv), 0) AS emv,
                   -- A post committed after the ordinals were read has none: its day's queue row came after
                   -- this pass took the day, so the day stays queued (reads answer from the facts) and is recomputed.
                   bit_or(CASE WHEN v.ordinal IS NULL THEN zeros ELSE set_bit(zeros, v.ordinal - 1, 1) END) AS posters
            FROM valued AS v
            GROUP BY GROUPING SETS ((v.team), (v.department), (v.region), (v.network), (v.campaign),
                                    (v.team, v.department), (v.team, v.region), (v.team, v.network), (v.team, v.campaign),
                                    (v.department, v.region), (v.department, v.network), (v.department, v.campaign),
                                    (v.region, v.network), (v.region, v.campaign), (v.network, v.campaign))
        )
        INSERT INTO rollup.slice_days (organization_id, day, dimensions, value1, value2, posts, impressions, engagements, emv, posters)
        SELECT org, d, k.dimensions, k.value1, k.value2, s.posts, s.impressions, s.engagements, s.emv, s.posters
        FROM per_slice AS s
        CROSS JOIN LATERAL rollup.slice_key(s.absent, s.team, s.department, s.region, s.network, s.campaign) AS k;
        RETURN rollup.post_days_text(org, d) IS DISTINCT FROM before;
    END
    $function$;
