-- Each entity's posts, impressions and engagements in [from, to] within a pair of values of two dimensions it does
-- not carry (axis poster: ambassadors on a network in a campaign; content: items by a team, department or region,
-- or on a network, two of them), summed from the pair's days (rollup.entity_pair_days). Grain: one row per entity
-- with a post in the period.
CREATE OR REPLACE FUNCTION rollup.pair_entity_totals(org uuid, from_date date, to_date date, pair_axis text, pair_dimensions text, pair_value1 text, pair_value2 text)
 RETURNS TABLE(entity_id text, posts bigint, impressions bigint, engagements bigint)
 LANGUAGE sql
 STABLE
AS $function$
        SELECT s.entity_id, sum(s.posts)::bigint, sum(s.impressions)::bigint, sum(s.engagements)::bigint
        FROM rollup.entity_pair_days AS s
        WHERE s.organization_id = org AND s.axis = pair_axis AND s.dimensions = pair_dimensions
          AND s.value1 = pair_value1 AND s.value2 = pair_value2 AND s.day BETWEEN from_date AND to_date
        GROUP BY s.entity_id
    $function$;
