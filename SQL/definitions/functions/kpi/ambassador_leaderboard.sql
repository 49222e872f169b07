-- Ambassadors ranked by posts or by engagements in a period; equal values share a rank (1, 1, 3). From the
-- rollups, filtered by the ambassadors' current team, department and region; with a network or campaign filter,
-- or while days are queued (rollup.settled), from the posts (kpi.ambassador_leaderboard_raw). Grain: one row per
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
        -- Filtered, or days up to the end of the period still queued: from the facts (rollup.settled).
        IF num_nonnulls(network_filter, campaign_filter) > 0 OR NOT rollup.settled(org, to_date) THEN
            RETURN QUERY SELECT * FROM kpi.ambassador_leaderboard_raw(org, from_date, to_date, ranked_by, team_filter,
                                                                      department_filter, region_filter, network_filter, campaign_filter);
            RETURN;
        END IF;
        RETURN QUERY
        SELECT rank() OVER (ORDER BY CASE WHEN ranked_by = 'posts' THEN t.posts ELSE t.engagements END DESC),
               t.ambassador_id, t.team, t.posts, t.impressions, t.engagements, round(t.engagements::numeric / nullif(t.impressions, 0), 6)
        FROM rollup.ambassador_totals(org, from_date, to_date) AS t
        LEFT JOIN core.ambassadors AS a ON a.organization_id = org AND a.ambassador_id = t.ambassador_id
        WHERE (team_filter IS NULL OR a.team = team_filter)
          AND (department_filter IS NULL OR a.department = department_filter)
          AND (region_filter IS NULL OR a.region = region_filter)
        ORDER BY 1, t.ambassador_id;
    END
    $function$;
