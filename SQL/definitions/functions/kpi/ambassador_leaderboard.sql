-- Ambassadors ranked by posts or by engagements in a period; equal values share a rank (1, 1, 3): the whole list
-- of kpi.ambassador_leaderboard_page. Grain: one row per ambassador with a post.
CREATE OR REPLACE FUNCTION kpi.ambassador_leaderboard(org uuid, from_date date, to_date date, ranked_by text DEFAULT 'posts'::text, team_filter text DEFAULT NULL::text, department_filter text DEFAULT NULL::text, region_filter text DEFAULT NULL::text, network_filter text DEFAULT NULL::text, campaign_filter text DEFAULT NULL::text)
 RETURNS TABLE(rank bigint, ambassador_id text, team text, posts bigint, impressions bigint, engagements bigint, engagement_rate numeric)
 LANGUAGE sql
 STABLE
AS $function$
        SELECT p.rank, p.ambassador_id, p.team, p.posts, p.impressions, p.engagements, p.engagement_rate
        FROM kpi.ambassador_leaderboard_page(org, from_date, to_date, ranked_by, team_filter, department_filter, region_filter,
                                             network_filter, campaign_filter, NULL, 0) AS p
    $function$;
