-- Content ranked by shares (posts sharing it) or by engagement rate in a period: each item's numbers from the
-- rollups (all its posts, or with a team, department, region or network filter that slice's; the campaign is the
-- item's own), or (from_rollups false) from the filtered posts; one ranking for both. The title and campaign are
-- the item's current ones. Grain: one row per content item shared.
CREATE OR REPLACE FUNCTION kpi.content_ranking(org uuid, from_date date, to_date date, ranked_by text, team_filter text, department_filter text, region_filter text, network_filter text, campaign_filter text, from_rollups boolean)
 RETURNS TABLE(rank bigint, content_id text, title text, campaign text, shares bigint, impressions bigint, engagements bigint, engagement_rate numeric)
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
                CASE WHEN team_filter IS NOT NULL THEN 'team' WHEN department_filter IS NOT NULL THEN 'department'
                     WHEN region_filter IS NOT NULL THEN 'region' ELSE 'network' END,
                coalesce(team_filter, department_filter, region_filter, network_filter)) AS t
            WHERE from_rollups AND num_nonnulls(team_filter, department_filter, region_filter, network_filter) = 1
            UNION ALL
            SELECT f.content_id, count(*), sum(f.impressions)::bigint, sum(f.engagements)::bigint
            FROM kpi.filtered_posts(org, from_date, to_date, team_filter, department_filter, region_filter, network_filter,
                                    campaign_filter) AS f
            WHERE NOT from_rollups AND f.content_id IS NOT NULL
            GROUP BY f.content_id
        )
        SELECT rank() OVER (ORDER BY CASE WHEN ranked_by = 'shares' THEN p.shares::numeric
                                          ELSE coalesce(p.engagements::numeric / nullif(p.impressions, 0), -1) END DESC),
               p.content_id, c.title, c.campaign, p.shares, p.impressions, p.engagements,
               round(p.engagements::numeric / nullif(p.impressions, 0), 6)
        FROM per_content AS p
        LEFT JOIN core.content_items AS c ON c.organization_id = org AND c.content_id = p.content_id
        WHERE NOT from_rollups OR campaign_filter IS NULL OR c.campaign = campaign_filter
        ORDER BY 1, p.content_id;
    END
    $function$;
