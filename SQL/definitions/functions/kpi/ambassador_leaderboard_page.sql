-- One page of the ambassador leaderboard: ambassadors ranked by posts or by engagements in a period, equal values
-- sharing a rank (1, 1, 3), the rows ranked row_offset + 1 to row_offset + row_limit (every row when row_limit is
-- NULL), each with the size of the whole list. From the rollups (rollup.ambassador_totals; with a network or a
-- campaign filter or both, that value's or pair's rollup.slice_entity_totals),
-- filtered by the ambassadors' current team, department and region; while days are queued (rollup.settled), from
-- the posts (kpi.ambassador_leaderboard_raw). Grain: one row per ambassador with a post.
CREATE OR REPLACE FUNCTION kpi.ambassador_leaderboard_page(org uuid, from_date date, to_date date, ranked_by text, team_filter text, department_filter text, region_filter text, network_filter text, campaign_filter text, row_limit integer, row_offset integer)
 RETURNS TABLE(rank bigint, ambassador_id text, team text, posts bigint, impressions bigint, engagements bigint, engagement_rate numeric, total_rows bigint)
 LANGUAGE plpgsql
 STABLE
AS $function$
    BEGIN
        IF ranked_by NOT IN ('posts', 'engagement') THEN
            RAISE EXCEPTION 'unknown ranking "%"', ranked_by USING ERRCODE = 'invalid_parameter_value', HINT = 'posts or engagement';
        END IF;
        IF NOT rollup.settled(org, to_date) THEN
            RETURN QUERY
            SELECT r.*, count(*) OVER ()
            FROM kpi.ambassador_leaderboard_raw(org, from_date, to_date, ranked_by, team_filter, department_filter, region_filter,
                                                network_filter, campaign_filter) AS r
            ORDER BY r.rank, r.ambassador_id
            LIMIT row_limit OFFSET row_offset;
            RETURN;
        END IF;
        RETURN QUERY
        WITH totals AS (
            SELECT t.ambassador_id, t.posts, t.impressions, t.engagements
            FROM rollup.ambassador_totals(org, from_date, to_date) AS t
            WHERE num_nonnulls(network_filter, campaign_filter) = 0
            UNION ALL
            SELECT t.entity_id, t.posts, t.impressions, t.engagements
            FROM rollup.slice_entity_totals(org, from_date, to_date, 'poster',
                                            concat_ws(',', CASE WHEN network_filter IS NOT NULL THEN 'network' END,
                                                      CASE WHEN campaign_filter IS NOT NULL THEN 'campaign' END),
                                            coalesce(network_filter, campaign_filter),
                                            CASE WHEN num_nonnulls(network_filter, campaign_filter) = 2 THEN campaign_filter ELSE '' END) AS t
            WHERE num_nonnulls(network_filter, campaign_filter) > 0
        ),
        listed AS MATERIALIZED (
            SELECT t.ambassador_id, t.posts, t.impressions, t.engagements,
                   CASE WHEN ranked_by = 'posts' THEN t.posts ELSE t.engagements END AS ranked_value
            FROM totals AS t
            -- Under an OR, IN is a hashed subplan: the ambassadors of the filters are listed once, not looked up per row.
            WHERE num_nonnulls(team_filter, department_filter, region_filter) = 0
               OR t.ambassador_id IN (SELECT a.ambassador_id::text FROM core.ambassadors AS a
                                      WHERE a.organization_id = org
                                        AND (team_filter IS NULL OR a.team = team_filter)
                                        AND (department_filter IS NULL OR a.department = department_filter)
                                        AND (region_filter IS NULL OR a.region = region_filter))
        ),
        -- Only the rows up to the page's end are sorted: a row's rank counts the rows with a greater value, and all
        -- of them are ranked before it.
        first_rows AS (
            SELECT l.* FROM listed AS l ORDER BY l.ranked_value DESC, l.ambassador_id LIMIT row_offset + row_limit
        )
        SELECT rank() OVER (ORDER BY l.ranked_value DESC), l.ambassador_id, a.team, l.posts, l.impressions, l.engagements,
               round(l.engagements::numeric / nullif(l.impressions, 0), 6), (SELECT count(*) FROM listed)
        FROM first_rows AS l
        LEFT JOIN core.ambassadors AS a ON a.organization_id = org AND a.ambassador_id = l.ambassador_id
        ORDER BY 1, l.ambassador_id
        OFFSET row_offset;
    END
    $function$;
