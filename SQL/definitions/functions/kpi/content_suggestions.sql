-- What an ambassador could share next: the content items with the best engagement rate among the posts of their
-- current team in the period (the content leaderboard by engagement rate), that they have never shared
-- themselves. Grain: one row per item, at most `how_many`.
CREATE OR REPLACE FUNCTION kpi.content_suggestions(org uuid, ambassador text, from_date date, to_date date, how_many integer DEFAULT 5)
 RETURNS TABLE(content_id text, title text, campaign text, team_shares bigint, engagement_rate numeric)
 LANGUAGE sql
 STABLE
AS $function$
        SELECT l.content_id, l.title, l.campaign, l.shares, l.engagement_rate
        FROM core.ambassadors AS a
        CROSS JOIN LATERAL kpi.content_leaderboard(org, from_date, to_date, 'engagement_rate', a.team) AS l
        WHERE a.organization_id = org AND a.ambassador_id = ambassador AND a.team IS NOT NULL AND l.engagement_rate IS NOT NULL
          AND NOT EXISTS (SELECT FROM fact.posts AS p
                          WHERE p.organization_id = org AND p.ambassador_id = ambassador AND p.content_id = l.content_id)
        ORDER BY l.rank, l.content_id
        LIMIT how_many
    $function$;
