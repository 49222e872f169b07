-- The rollup.slice_days family that answers for the given filters and, when given, a breakdown dimension: its
-- dimensions (in the order team, department, region, network, campaign), the value of each when filtered (NULL:
-- the breakdown's, not filtered), and whether the breakdown is by the second. NULL when more than two dimensions
-- are involved: no slice holds them. Grain: one request.
CREATE OR REPLACE FUNCTION rollup.slice_of(team_filter text, department_filter text, region_filter text, network_filter text, campaign_filter text, breakdown text DEFAULT NULL::text, OUT dims text, OUT first_value text, OUT second_value text, OUT by_second boolean)
 RETURNS record
 LANGUAGE sql
 IMMUTABLE
AS $function$
        WITH given (position, name, value) AS (
            VALUES (1, 'team', team_filter), (2, 'department', department_filter), (3, 'region', region_filter),
                   (4, 'network', network_filter), (5, 'campaign', campaign_filter)
        ),
        used AS (
            SELECT row_number() OVER (ORDER BY g.position) AS n, g.name, g.value
            FROM given AS g WHERE g.value IS NOT NULL OR g.name = breakdown
        )
        SELECT string_agg(u.name, ',' ORDER BY u.n),
               max(u.value) FILTER (WHERE u.n = 1),
               CASE WHEN count(*) = 1 THEN '' ELSE max(u.value) FILTER (WHERE u.n = 2) END,
               coalesce(bool_or(u.n = 2 AND u.name = breakdown), false)
        FROM used AS u
        HAVING count(*) BETWEEN 1 AND 2
    $function$;
