-- Each content item's shares, impressions and engagements of the posts published in [from, to]. Grain: one row per
-- content item shared.
CREATE OR REPLACE FUNCTION rollup.content_totals(org uuid, from_date date, to_date date)
 RETURNS TABLE(content_id text, shares bigint, impressions bigint, engagements bigint)
 LANGUAGE sql
 STABLE
AS $function$
        SELECT u.id, u.shares - coalesce(u.shares_before, 0), u.impressions - coalesce(u.impressions_before, 0),
               u.engagements - coalesce(u.engagements_before, 0)
        FROM rollup.contents AS c
        LEFT JOIN rollup.content_through AS t
               ON t.organization_id = org
              AND t.day = (SELECT max(x.day) FROM rollup.content_through AS x WHERE x.organization_id = org AND x.day <= to_date)
        LEFT JOIN rollup.content_through AS f
               ON f.organization_id = org
              AND f.day = (SELECT max(x.day) FROM rollup.content_through AS x WHERE x.organization_id = org AND x.day < from_date)
        CROSS JOIN LATERAL unnest(c.content_ids, t.shares, t.impressions, t.engagements, f.shares, f.impressions, f.engagements)
            AS u (id, shares, impressions, engagements, shares_before, impressions_before, engagements_before)
        WHERE c.organization_id = org AND u.shares > coalesce(u.shares_before, 0)
    $function$;
