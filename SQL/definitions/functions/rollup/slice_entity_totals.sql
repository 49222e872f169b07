-- Each entity's posts, impressions and engagements in [from, to] within one value, or a pair of values, of
-- dimensions it does not carry (axis poster: ambassadors on a network, in a campaign or both; content: items by a
-- team, department or region, or on a network, one or two of them; value2 is '' for one dimension): the cumulative
-- numbers through `to` minus those through `from` - 1 (rollup.slice_through: the latest row on or before each day),
-- by ordinal. Grain: one row per entity with a post in the period.
CREATE OR REPLACE FUNCTION rollup.slice_entity_totals(org uuid, from_date date, to_date date, slice_axis text, slice_dimensions text, slice_value1 text, slice_value2 text)
 RETURNS TABLE(entity_id text, posts bigint, impressions bigint, engagements bigint)
 LANGUAGE sql
 STABLE
AS $function$
        SELECT u.id, u.posts - coalesce(u.posts_before, 0), u.impressions - coalesce(u.impressions_before, 0),
               u.engagements - coalesce(u.engagements_before, 0)
        FROM (
            SELECT CASE slice_axis WHEN 'poster' THEN (SELECT p.ambassador_ids FROM rollup.posters AS p WHERE p.organization_id = org)
                                   ELSE (SELECT c.content_ids FROM rollup.contents AS c WHERE c.organization_id = org) END AS ids
        ) AS o
        -- The bounds plain columns: under row-level security only leakproof conditions reach an index.
        LEFT JOIN LATERAL (
            SELECT t.posts, t.impressions, t.engagements FROM rollup.slice_through AS t
            WHERE t.organization_id = org AND t.axis = slice_axis AND t.dimensions = slice_dimensions
              AND t.value1 = slice_value1 AND t.value2 = slice_value2 AND t.day <= to_date
            ORDER BY t.day DESC LIMIT 1
        ) AS t ON true
        LEFT JOIN LATERAL (
            SELECT f.posts, f.impressions, f.engagements FROM rollup.slice_through AS f
            WHERE f.organization_id = org AND f.axis = slice_axis AND f.dimensions = slice_dimensions
              AND f.value1 = slice_value1 AND f.value2 = slice_value2 AND f.day < from_date
            ORDER BY f.day DESC LIMIT 1
        ) AS f ON true
        CROSS JOIN LATERAL unnest(o.ids, t.posts, t.impressions, t.engagements, f.posts, f.impressions, f.engagements)
            AS u (id, posts, impressions, engagements, posts_before, impressions_before, engagements_before)
        WHERE u.posts > coalesce(u.posts_before, 0)
    $function$;
