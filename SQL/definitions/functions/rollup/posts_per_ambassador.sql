-- Each ambassador's posts in [from, to] from the cumulative counts: two array reads an ambassador. Grain: one row
-- per ambassador.
CREATE OR REPLACE FUNCTION rollup.posts_per_ambassador(org uuid, from_date date, to_date date)
 RETURNS TABLE(ambassador_id text, posts integer, enrolled_at timestamp with time zone)
 LANGUAGE sql
 STABLE
AS $function$
        SELECT u.id, u.through_to - coalesce(u.before_from, 0), u.enrolled_at
        FROM rollup.posters AS p,
             unnest(
                 p.ambassador_ids, p.enrolled_at,
                 (SELECT t.posts FROM rollup.posts_through AS t
                  WHERE t.organization_id = org AND t.day <= to_date ORDER BY t.day DESC LIMIT 1),
                 (SELECT t.posts FROM rollup.posts_through AS t
                  WHERE t.organization_id = org AND t.day < from_date ORDER BY t.day DESC LIMIT 1)
             ) AS u (id, enrolled_at, through_to, before_from)
        WHERE p.organization_id = org AND u.through_to > coalesce(u.before_from, 0)
    $function$;
