-- 0009: posting results broken down by a dimension (team, department, region, network, campaign), to
-- compare teams or networks on a dashboard, with EMV valued by kpi.post_values, as in kpi.summary.

CREATE FUNCTION kpi.post_breakdown(
    org uuid, from_date date, to_date date, dimension text DEFAULT 'team', team_filter text DEFAULT NULL,
    department_filter text DEFAULT NULL, region_filter text DEFAULT NULL, network_filter text DEFAULT NULL,
    campaign_filter text DEFAULT NULL
)
    RETURNS TABLE (value text, posts bigint, active_ambassadors bigint, impressions bigint, engagements bigint,
                   engagement_rate numeric, emv numeric)
    LANGUAGE plpgsql STABLE
    AS $$
    BEGIN
        IF dimension NOT IN ('team', 'department', 'region', 'network', 'campaign') THEN
            RAISE EXCEPTION 'unknown dimension "%"', dimension
                USING ERRCODE = 'invalid_parameter_value', HINT = 'team, department, region, network or campaign';
        END IF;
        RETURN QUERY
        WITH posts AS (
            SELECT f.*, a.department, a.region
            FROM kpi.filtered_posts(org, from_date, to_date, team_filter, department_filter, region_filter, network_filter,
                                    campaign_filter) AS f
            LEFT JOIN core.ambassadors AS a ON a.organization_id = org AND a.ambassador_id = f.ambassador_id
        ),
        valued AS (
            SELECT p.*,
                   CASE dimension WHEN 'team' THEN p.team WHEN 'department' THEN p.department WHEN 'region' THEN p.region
                                  WHEN 'network' THEN p.network ELSE p.campaign END AS grouped_by,
                   v.impressions_value + v.clicks_value + v.engagement_value AS post_emv
            FROM posts AS p
            JOIN kpi.post_values(org, from_date, to_date) AS v USING (post_id)
        )
        SELECT v.grouped_by, count(*), count(DISTINCT v.ambassador_id), sum(v.impressions)::bigint, sum(v.engagements)::bigint,
               round(sum(v.engagements)::numeric / nullif(sum(v.impressions), 0), 6), round(coalesce(sum(v.post_emv), 0), 2)
        FROM valued AS v
        GROUP BY v.grouped_by
        ORDER BY count(*) DESC, v.grouped_by NULLS LAST;
    END
    $$;

GRANT EXECUTE ON FUNCTION kpi.post_breakdown(uuid, date, date, text, text, text, text, text, text) TO advocacy_service, advocacy_reader;
