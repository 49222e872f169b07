-- Content ranked by shares or by engagement rate in a period: from the rollups when at most one of the team,
-- department, region and network filters is given (a campaign is the item's own) and no day is queued
-- (rollup.settled), else from the posts (kpi.content_ranking). Grain: one row per content item shared.
CREATE OR REPLACE FUNCTION kpi.content_leaderboard(org uuid, from_date date, to_date date, ranked_by text DEFAULT 'shares'::text, team_filter text DEFAULT NULL::text, department_filter text DEFAULT NULL::text, region_filter text DEFAULT NULL::text, network_filter text DEFAULT NULL::text, campaign_filter text DEFAULT NULL::text)
 RETURNS TABLE(rank bigint, content_id text, title text, campaign text, shares bigint, impressions bigint, engagements bigint, engagement_rate numeric)
 LANGUAGE sql
 STABLE
AS $function$
        SELECT * FROM kpi.content_ranking(org, from_date, to_date, ranked_by, team_filter, department_filter, region_filter,
                                          network_filter, campaign_filter,
                                          num_nonnulls(team_filter, department_filter, region_filter, network_filter) <= 1
                                          AND rollup.settled(org, to_date))
    $function$;
