-- Ambassadors ranked by posts or by engagements in a period, computed from the posts; equal values share a rank
-- (1, 1, 3). Grain: one row per ambassador with a post.
CREATE OR REPLACE FUNCTION kpi.ambassador_leaderboard_raw(org uuid, from_date date, to_date date, ranked_by text DEFAULT 'posts'::text, team_filter text DEFAULT NULL::text, department_filter text DEFAULT NULL::text, region_filter text DEFAULT NULL::text, network_filter text DEFAULT NULL::text, campaign_filter text DEFAULT NULL::text)
 RETURNS TABLE(rank bigint, ambassador_id text, team text, posts bigint, impressions bigint, engagements bigint, engagement_rate numeric)
 LANGUAGE plpgsql
 STABLE
AS $function$
    BEGIN
        IF ranked_by NOT IN ('posts', 'engagement') THEN
            RAISE EXCEPTION 'unknown ranking "%"', ranked_by USING ERRCODE = 'invalid_parameter_value', HINT = 'posts or engagement';
        END IF;
        RETURN QUERY
        WITH per_ambassador AS (
            SELECT f.ambassador_id, max(f.team) AS team, count(*) AS posts, sum(f.impressions)::bigint AS impressions,
                   sum(f.engagements)::bigint AS engagements
            FROM kpi.filtered_posts(org, from_date, to_date, team_filter, department_filter, region_filter, network_filter,
                                    campaign_filter) AS f
            GROUP BY f.ambassador_id
        )
        SELECT rank() OVER (ORDER BY CASE WHEN ranked_by = 'posts' THEN p.posts ELSE p.engagements END DESC),
               p.ambassador_id, p.team, p.posts, p.impressions, p.engagements,
               round(p.engagements::numeric / nullif(p.impressions, 0), 6)
        FROM per_ambassador AS p
        ORDER BY 1, p.ambassador_id;
    END
    $function$;
