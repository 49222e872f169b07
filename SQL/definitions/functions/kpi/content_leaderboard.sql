-- Content ranked by shares or by engagement rate in a period: the whole list of kpi.content_leaderboard_page.
-- Grain: one row per content item shared.
CREATE OR REPLACE FUNCTION kpi.content_leaderboard(org uuid, from_date date, to_date date, ranked_by text DEFAULT 'shares'::text, team_filter text DEFAULT NULL::text, department_filter text DEFAULT NULL::text, region_filter text DEFAULT NULL::text, network_filter text DEFAULT NULL::text, campaign_filter text DEFAULT NULL::text)
 RETURNS TABLE(rank bigint, content_id text, title text, campaign text, shares bigint, impressions bigint, engagements bigint, engagement_rate numeric)
 LANGUAGE sql
 STABLE
AS $function$
        SELECT p.rank, p.content_id, p.title, p.campaign, p.shares, p.impressions, p.engagements, p.engagement_rate
        FROM kpi.content_leaderboard_page(org, from_date, to_date, ranked_by, team_filter, department_filter, region_filter,
                                          network_filter, campaign_filter, NULL, 0) AS p
    $function$;
