-- Each entity's posts, impressions and engagements in [from, to] within one value of a dimension it does not
-- carry (axis poster: ambassadors on a network or a campaign; content: items by a team, department, region or on
-- a network). Through a day x, an entity's numbers are the slice's latest week row at or before x plus its days
-- from that row's Monday to x (rollup.slice_weeks, rollup.entity_slice_days; every day up to x when there is no
-- row); the period is "through to" minus "through from - 1". Grain: one row per entity with a post in the period.
CREATE OR REPLACE FUNCTION rollup.slice_entity_totals(org uuid, from_date date, to_date date, slice_axis text, slice_dimension text, slice_value text)
 RETURNS TABLE(entity_id text, posts bigint, impressions bigint, engagements bigint)
 LANGUAGE sql
 STABLE
AS $function$
        WITH anchors AS (
            SELECT e.sign, e.through, coalesce(w.week, '-infinity') AS since, w.posts, w.impressions, w.engagements
            FROM (VALUES (1, to_date), (-1, from_date - 1)) AS e (sign, through)
            LEFT JOIN LATERAL (
                SELECT w.week, w.posts, w.impressions, w.engagements FROM rollup.slice_weeks AS w
                WHERE w.organization_id = org AND w.axis = slice_axis AND w.dimension = slice_dimension AND w.value = slice_value
                  AND w.week <= e.through
                ORDER BY w.week DESC LIMIT 1
            ) AS w ON true
        ),
        ordinals AS (
            SELECT CASE slice_axis WHEN 'poster' THEN (SELECT p.ambassador_ids FROM rollup.posters AS p WHERE p.organization_id = org)
                                   ELSE (SELECT c.content_ids FROM rollup.contents AS c WHERE c.organization_id = org) END AS ids
        )
        SELECT x.entity_id, sum(x.posts)::bigint, sum(x.impressions)::bigint, sum(x.engagements)::bigint
        FROM (
            SELECT u.id AS entity_id, a.sign * u.posts AS posts, a.sign * u.impressions AS impressions, a.sign * u.engagements AS engagements
            FROM anchors AS a
            CROSS JOIN ordinals AS o
            CROSS JOIN LATERAL unnest(o.ids, a.posts, a.impressions, a.engagements) AS u (id, posts, impressions, engagements)
            WHERE u.posts > 0
            UNION ALL
            -- The bounds plain columns: under row-level security only leakproof conditions reach an index.
            SELECT s.entity_id, a.sign * s.posts, a.sign * s.impressions, a.sign * s.engagements
            FROM anchors AS a
            CROSS JOIN LATERAL (
                SELECT s.entity_id, s.posts, s.impressions, s.engagements FROM rollup.entity_slice_days AS s
                WHERE s.organization_id = org AND s.axis = slice_axis AND s.dimension = slice_dimension AND s.value = slice_value
                  AND s.day BETWEEN a.since AND a.through
            ) AS s
        ) AS x
        GROUP BY x.entity_id
        HAVING sum(x.posts) > 0
    $function$;
