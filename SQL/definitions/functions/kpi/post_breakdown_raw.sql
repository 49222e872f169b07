-- Posting results broken down by a dimension (team, department, region, network, campaign), computed from the
-- posts (kpi.filtered_posts), with EMV valued as in kpi.summary. Grain: one row per value of the dimension.
CREATE OR REPLACE FUNCTION kpi.post_breakdown_raw(org uuid, from_date date, to_date date, dimension text DEFAULT 'team'::text, team_filter text DEFAULT NULL::text, department_filter text DEFAULT NULL::text, region_filter text DEFAULT NULL::text, network_filter text DEFAULT NULL::text, campaign_filter text DEFAULT NULL::text)
 RETURNS TABLE(value text, posts bigint, active_ambassadors bigint, impressions bigint, engagements bigint, engagement_rate numeric, emv numeric)
 LANGUAGE plpgsql
 STABLE
AS $function$
    BEGIN
        IF dimension NOT IN ('team', 'department', 'region', 'network', 'campaign') THEN
            RAISE EXCEPTION 'unknown dimension "%"', dimension
                USING ERRCODE = 'invalid_parameter_value', HINT = 'team, department, region, network or campaign';
        END IF;
        RETURN QUERY
        WITH valued AS (
            SELECT f.*,
                   CASE dimension WHEN 'team' THEN f.team WHEN 'department' THEN f.department WHEN 'region' THEN f.region
                                  WHEN 'network' THEN f.network ELSE f.campaign END AS grouped_by
            FROM kpi.filtered_posts(org, from_date, to_date, team_filter, department_filter, region_filter, network_filter,
                                    campaign_filter) AS f
        )
        SELECT v.grouped_by, count(*), count(DISTINCT v.ambassador_id), sum(v.impressions)::bigint, sum(v.engagements)::bigint,
               round(sum(v.engagements)::numeric / nullif(sum(v.impressions), 0), 6), round(coalesce(sum(v.emv), 0), 2)
        FROM valued AS v
        GROUP BY v.grouped_by
        ORDER BY count(*) DESC, v.grouped_by NULLS LAST;
    END
    $function$;
