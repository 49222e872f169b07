-- 0009: posting results broken down by a dimension (team, department, region, network, campaign), to
-- compare teams or networks on a dashboard, with EMV valued as in kpi.summary.

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
                   p.impressions / 1000.0 * r.cpm + p.clicks * r.cpc
                       + (m.reactions * r.cost_per_reaction + m.comments * r.cost_per_comment + m.reshares * r.cost_per_reshare)
                       AS post_emv
            FROM posts AS p
            CROSS JOIN core.organizations AS o
            LEFT JOIN fact.post_metrics AS m ON m.organization_id = org AND m.post_id = p.post_id
            LEFT JOIN LATERAL (
                SELECT c.* FROM core.emv_rate_cards AS c
                WHERE c.organization_id = org AND c.network::text = p.network AND c.currency = o.currency
                  AND c.effective_from <= p.posted_on
                ORDER BY c.effective_from DESC
                LIMIT 1
            ) AS r ON true
            WHERE o.organization_id = org
        )
        SELECT v.grouped_by, count(*), count(DISTINCT v.ambassador_id), sum(v.impressions)::bigint, sum(v.engagements)::bigint,
               round(sum(v.engagements)::numeric / nullif(sum(v.impressions), 0), 6), round(coalesce(sum(v.post_emv), 0), 2)
        FROM valued AS v
        GROUP BY v.grouped_by
        ORDER BY count(*) DESC, v.grouped_by NULLS LAST;
    END
    $$;

GRANT EXECUTE ON FUNCTION kpi.post_breakdown(uuid, date, date, text, text, text, text, text, text) TO advocacy_service, advocacy_reader;
