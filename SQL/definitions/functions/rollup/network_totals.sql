-- Each network's posts, active ambassadors, impressions, engagements and EMV (unrounded) in [from, to]. Grain: one
-- row per network.
CREATE OR REPLACE FUNCTION rollup.network_totals(org uuid, from_date date, to_date date)
 RETURNS TABLE(network text, posts bigint, active_ambassadors bigint, impressions bigint, engagements bigint, emv numeric)
 LANGUAGE sql
 STABLE
AS $function$
        SELECT s.network, s.posts, a.active, s.impressions, s.engagements, s.emv
        FROM (
            SELECT d.network, sum(d.posts)::bigint AS posts, sum(d.impressions)::bigint AS impressions,
                   sum(d.engagements)::bigint AS engagements, sum(d.emv) AS emv
            FROM rollup.network_days AS d
            WHERE d.organization_id = org AND d.day BETWEEN from_date AND to_date
            GROUP BY d.network
        ) AS s
        CROSS JOIN LATERAL (
            SELECT count(*) AS active
            FROM unnest(
                (SELECT x.posts FROM rollup.network_posts_through AS x
                 WHERE x.organization_id = org AND x.network = s.network AND x.day <= to_date ORDER BY x.day DESC LIMIT 1),
                (SELECT x.posts FROM rollup.network_posts_through AS x
                 WHERE x.organization_id = org AND x.network = s.network AND x.day < from_date ORDER BY x.day DESC LIMIT 1)
            ) AS u (through_to, before_from)
            WHERE u.through_to > coalesce(u.before_from, 0)
        ) AS a
    $function$;
