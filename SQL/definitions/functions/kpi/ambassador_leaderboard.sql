-- Ambassadors ranked by posts or by engagements in a period; equal values share a rank (1, 1, 3). From the
-- rollups (rollup.ambassador_totals; with a network or a campaign filter, that slice's rollup.slice_entity_totals),
-- filtered by the ambassadors' current team, department and region; with both a network and a campaign, or while
-- days are queued (rollup.settled), from the posts (kpi.ambassador_leaderboard_raw). Grain: one row per
-- ambassador with a post.
CREATE OR REPLACE FUNCTION kpi.ambassador_leaderboard(org uuid, from_date date, to_date date, ranked_by text DEFAULT 'posts'::text, team_filter text DEFAULT NULL::text, department_filter text DEFAULT NULL::text, region_filter text DEFAULT NULL::text, network_filter text DEFAULT NULL::text, campaign_filter text DEFAULT NULL::text)
 RETURNS TABLE(rank bigint, ambassador_id text, team text, posts bigint, impressions bigint, engagements bigint, engagement_rate numeric)
 LANGUAGE plpgsql
 STABLE
AS $function$
    BEGIN
        IF ranked_by NOT IN ('posts', 'engagement') THEN
            RAISE EXCEPTION 'unknown ranking "%"', ranked_by USING ERRCODE = 'invalid_parameter_value', HINT = 'posts or engagement';
        END IF;
        IF num_nonnulls(network_filter, campaign_filter) > 1 OR NOT rollup.settled(org, to_date) THEN
            RETURN QUERY SELECT * FROM kpi.ambassador_leaderboard_raw(org, from_date, to_date, ranked_by, team_filter,
                                                                      department_filter, region_filter, network_filter, campaign_filter);
            RETURN;
        END IF;
        RETURN QUERY
        WITH totals AS (
            SELECT t.ambassador_id, t.posts, t.impressions, t.engagements
            FROM rollup.ambassador_totals(org, from_date, to_date) AS t
            WHERE num_nonnulls(network_filter, campaign_filter) = 0
            UNION ALL
            SELECT t.entity_id, t.posts, t.impressions, t.engagements
            FROM rollup.slice_entity_totals(org, from_date, to_date, 'poster', CASE WHEN network_filter IS NULL THEN 'campaign' ELSE 'network' END,
                                            coalesce(network_filter, campaign_filter)) AS t
            WHERE num_nonnulls(network_filter, campaign_filter) = 1
        )
        SELECT rank() OVER (ORDER BY CASE WHEN ranked_by = 'posts' THEN t.posts ELSE t.engagements END DESC),
               t.ambassador_id, a.team, t.posts, t.impressions, t.engagements, round(t.engagements::numeric / nullif(t.impressions, 0), 6)
        FROM totals AS t
        LEFT JOIN core.ambassadors AS a ON a.organization_id = org AND a.ambassador_id = t.ambassador_id
        WHERE (team_filter IS NULL OR a.team = team_filter)
          AND (department_filter IS NULL OR a.department = department_filter)
          AND (region_filter IS NULL OR a.region = region_filter)
        ORDER BY 1, t.ambassador_id;
    END
    $function$;
