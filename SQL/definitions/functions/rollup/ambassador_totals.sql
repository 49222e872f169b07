-- Each ambassador's posts, impressions and engagements of the posts published in [from, to]. Grain: one row per
-- ambassador with a post.
CREATE OR REPLACE FUNCTION rollup.ambassador_totals(org uuid, from_date date, to_date date)
 RETURNS TABLE(ambassador_id text, posts bigint, impressions bigint, engagements bigint)
 LANGUAGE sql
 STABLE
AS $function$
        SELECT u.id, u.posts - coalesce(u.posts_before, 0), u.impressions - coalesce(u.impressions_before, 0),
               u.engagements - coalesce(u.engagements_before, 0)
        FROM rollup.posters AS p
        LEFT JOIN rollup.posts_through AS t
               ON t.organization_id = org
              AND t.day = (SELECT max(x.day) FROM rollup.posts_through AS x WHERE x.organization_id = org AND x.day <= to_date)
        LEFT JOIN rollup.posts_through AS f
               ON f.organization_id = org
              AND f.day = (SELECT max(x.day) FROM rollup.posts_through AS x WHERE x.organization_id = org AND x.day < from_date)
        CROSS JOIN LATERAL unnest(p.ambassador_ids, t.posts, t.impressions, t.engagements, f.posts, f.impressions, f.engagements)
            AS u (id, posts, impressions, engagements, posts_before, impressions_before, engagements_before)
        WHERE p.organization_id = org AND u.posts > coalesce(u.posts_before, 0)
    $function$;
