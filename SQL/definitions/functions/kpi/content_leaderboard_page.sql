-- One page of the content leaderboard: the rows ranked row_offset + 1 to row_offset + row_limit (every row when
-- row_limit is NULL), each with the size of the whole list. From the rollups when at most two of the team,
-- department, region and network filters are given (a campaign is the item's own) and no day is queued
-- (rollup.settled), else from the posts (kpi.content_ranking). Grain: one row per content item shared.
CREATE OR REPLACE FUNCTION kpi.content_leaderboard_page(org uuid, from_date date, to_date date, ranked_by text, team_filter text, department_filter text, region_filter text, network_filter text, campaign_filter text, row_limit integer, row_offset integer)
 RETURNS TABLE(rank bigint, content_id text, title text, campaign text, shares bigint, impressions bigint, engagements bigint, engagement_rate numeric, total_rows bigint)
 LANGUAGE sql
 STABLE
AS $function$
        SELECT * FROM kpi.content_ranking(org, from_date, to_date, ranked_by, team_filter, department_filter, region_filter,
                                          network_filter, campaign_filter,
                                          num_nonnulls(team_filter, department_filter, region_filter, network_filter) <= 2
                                          AND rollup.settled(org, to_date),
                                          row_limit, row_offset)
    $function$;
