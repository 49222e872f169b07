-- Each entity's posts, impressions and engagements in [from, to] within one value, or a pair of values, of
-- dimensions it does not carry (axis poster: ambassadors on a network, in a campaign or both; content: items by a
-- team, department or region, or on a network, one or two of them; value2 is '' for one dimension): the cumulative
-- numbers through `to` minus those through `from` - 1, by ordinal. Each is the latest row of rollup.slice_through on or
-- before its day plus the slice's days after that row: none for a value (a row per day with posts), at most a week's
-- for a pair (a row per week). Grain: one row per entity with a post in the period.
CREATE OR REPLACE FUNCTION rollup.slice_entity_totals(org uuid, from_date date, to_date date, slice_axis text, slice_dimensions text, slice_value1 text, slice_value2 text)
 RETURNS TABLE(entity_id text, posts bigint, impressions bigint, engagements bigint)
 LANGUAGE sql
 STABLE
AS $function$
        WITH ids AS (
            SELECT CASE slice_axis WHEN 'poster' THEN (SELECT p.ambassador_ids FROM rollup.posters AS p WHERE p.organization_id = org)
                                   ELSE (SELECT c.content_ids FROM rollup.contents AS c WHERE c.organization_id = org) END AS ids
        ),
        -- Every bound of a scan is a parameter or a column of a materialized row set: under row-level security only
        -- leakproof conditions reach an index, and a COALESCE or a subquery is not one (the scan would read every day
        -- of the pair and filter them).
        through_to AS (
            SELECT t.day, t.posts, t.impressions, t.engagements FROM rollup.slice_through AS t
            WHERE t.organization_id = org AND t.axis = slice_axis AND t.dimensions = slice_dimensions
              AND t.value1 = slice_value1 AND t.value2 = slice_value2 AND t.day <= to_date
            ORDER BY t.day DESC LIMIT 1
        ),
        through_before AS (
            SELECT f.day, f.posts, f.impressions, f.engagements FROM rollup.slice_through AS f
            WHERE f.organization_id = org AND f.axis = slice_axis AND f.dimensions = slice_dimensions
              AND f.value1 = slice_value1 AND f.value2 = slice_value2 AND f.day < from_date
            ORDER BY f.day DESC LIMIT 1
        ),
        -- A pair's days after each row: added after "through to"'s, taken away after "through from - 1"'s.
        bounds AS MATERIALIZED (
            SELECT 1 AS sign, coalesce((SELECT t.day FROM through_to AS t), '-infinity') AS after_day, to_date AS last_day
            UNION ALL
            SELECT -1, coalesce((SELECT f.day FROM through_before AS f), '-infinity'), from_date - 1
        ),
        days_after AS (
            SELECT e.entity_id, sum(b.sign * e.posts)::bigint AS posts, sum(b.sign * e.impressions)::bigint AS impressions,
                   sum(b.sign * e.engagements)::bigint AS engagements
            FROM bounds AS b
            CROSS JOIN LATERAL (
                SELECT e.entity_id, e.posts, e.impressions, e.engagements
                FROM rollup.entity_pair_days AS e
                WHERE slice_value2 <> '' AND e.organization_id = org AND e.axis = slice_axis AND e.dimensions = slice_dimensions
                  AND e.value1 = slice_value1 AND e.value2 = slice_value2 AND e.day > b.after_day AND e.day <= b.last_day
            ) AS e
            GROUP BY e.entity_id
        )
        SELECT u.id, u.posts, u.impressions, u.engagements
        FROM (
            SELECT r.id,
                   coalesce(r.posts, 0) - coalesce(r.posts_before, 0) + coalesce(a.posts, 0) AS posts,
                   coalesce(r.impressions, 0) - coalesce(r.impressions_before, 0) + coalesce(a.impressions, 0) AS impressions,
                   coalesce(r.engagements, 0) - coalesce(r.engagements_before, 0) + coalesce(a.engagements, 0) AS engagements
            FROM ids AS o
            LEFT JOIN through_to AS t ON true
            LEFT JOIN through_before AS f ON true
            CROSS JOIN LATERAL unnest(o.ids, t.posts, t.impressions, t.engagements, f.posts, f.impressions, f.engagements)
                AS r (id, posts, impressions, engagements, posts_before, impressions_before, engagements_before)
            LEFT JOIN days_after AS a ON a.entity_id = r.id
        ) AS u
        WHERE u.posts > 0
    $function$;
