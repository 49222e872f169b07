-- Content ranked by shares (posts sharing it) or by engagement rate in a period: each item's numbers from the
-- rollups (all its posts; with one or two of the team, department, region and network filters, that value's or
-- pair's rollup.slice_entity_totals; the campaign is the item's own), or (from_rollups false) from the filtered
-- posts; one ranking for both. The title and campaign are the item's current ones. The rows ranked row_offset + 1
-- to row_offset + row_limit (every row when row_limit is NULL), each with the size of the whole list. Grain: one row
-- per content item shared.
CREATE OR REPLACE FUNCTION kpi.content_ranking(org uuid, from_date date, to_date date, ranked_by text, team_filter text, department_filter text, region_filter text, network_filter text, campaign_filter text, from_rollups boolean, row_limit integer, row_offset integer)
 RETURNS TABLE(rank bigint, content_id text, title text, campaign text, shares bigint, impressions bigint, engagements bigint, engagement_rate numeric, total_rows bigint)
 LANGUAGE plpgsql
 STABLE
AS $function$
    BEGIN
        IF ranked_by NOT IN ('shares', 'engagement_rate') THEN
            RAISE EXCEPTION 'unknown ranking "%"', ranked_by USING ERRCODE = 'invalid_parameter_value', HINT = 'shares or engagement_rate';
        END IF;
        RETURN QUERY
        WITH per_content AS (
            SELECT t.content_id, t.shares, t.impressions, t.engagements
            FROM rollup.content_totals(org, from_date, to_date) AS t
            WHERE from_rollups AND num_nonnulls(team_filter, department_filter, region_filter, network_filter) = 0
            UNION ALL
            SELECT t.entity_id, t.posts, t.impressions, t.engagements
            FROM rollup.slice_entity_totals(
                org, from_date, to_date, 'content',
                concat_ws(',', CASE WHEN team_filter IS NOT NULL THEN 'team' END, CASE WHEN department_filter IS NOT NULL THEN 'department' END,
                          CASE WHEN region_filter IS NOT NULL THEN 'region' END, CASE WHEN network_filter IS NOT NULL THEN 'network' END),
                coalesce(team_filter, department_filter, region_filter, network_filter),
                CASE WHEN num_nonnulls(team_filter, department_filter, region_filter, network_filter) = 2
                     THEN coalesce(network_filter, region_filter, department_filter) ELSE '' END) AS t
            WHERE from_rollups AND num_nonnulls(team_filter, department_filter, region_filter, network_filter) IN (1, 2)
            UNION ALL
            SELECT f.content_id, count(*), sum(f.impressions)::bigint, sum(f.engagements)::bigint
            FROM kpi.filtered_posts(org, from_date, to_date, team_filter, department_filter, region_filter, network_filter,
                                    campaign_filter) AS f
            WHERE NOT from_rollups AND f.content_id IS NOT NULL
            GROUP BY f.content_id
        ),
        listed AS MATERIALIZED (
            SELECT p.content_id, p.shares, p.impressions, p.engagements,
                   CASE WHEN ranked_by = 'shares' THEN p.shares::numeric
                        ELSE coalesce(p.engagements::numeric / nullif(p.impressions, 0), -1) END AS ranked_value
            FROM per_content AS p
            -- Under an OR, IN is a hashed subplan: the campaign's items are listed once, not looked up per row.
            WHERE NOT from_rollups OR campaign_filter IS NULL
               OR p.content_id IN (SELECT c.content_id::text FROM core.content_items AS c
                                   WHERE c.organization_id = org AND c.campaign = campaign_filter)
        ),
        -- Only the rows up to the page's end are sorted: a row's rank counts the rows with a greater value, and all
        -- of them are ranked before it.
        first_rows AS (
            SELECT l.* FROM listed AS l ORDER BY l.ranked_value DESC, l.content_id LIMIT row_offset + row_limit
        )
        SELECT rank() OVER (ORDER BY l.ranked_value DESC), l.content_id, c.title, c.campaign, l.shares, l.impressions,
               l.engagements, round(l.engagements::numeric / nullif(l.impressions, 0), 6), (SELECT count(*) FROM listed)
        FROM first_rows AS l
        LEFT JOIN core.content_items AS c ON c.organization_id = org AND c.content_id = l.content_id
        ORDER BY 1, l.content_id
        OFFSET row_offset;
    END
    $function$;
