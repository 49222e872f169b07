-- Posting results by team, department, region, network or campaign in a period; by network without filters from
-- the rollups once settled (rollup.settled), otherwise from the posts (kpi.post_breakdown_raw). Grain: one row per value of the dimension.
CREATE OR REPLACE FUNCTION kpi.post_breakdown(org uuid, from_date date, to_date date, dimension text DEFAULT 'team'::text, team_filter text DEFAULT NULL::text, department_filter text DEFAULT NULL::text, region_filter text DEFAULT NULL::text, network_filter text DEFAULT NULL::text, campaign_filter text DEFAULT NULL::text)
 RETURNS TABLE(value text, posts bigint, active_ambassadors bigint, impressions bigint, engagements bigint, engagement_rate numeric, emv numeric)
 LANGUAGE plpgsql
 STABLE
AS $function$
    BEGIN
        IF dimension IS DISTINCT FROM 'network'
           OR num_nonnulls(team_filter, department_filter, region_filter, network_filter, campaign_filter) > 0
           OR NOT rollup.settled(org, to_date) THEN
            RETURN QUERY SELECT * FROM kpi.post_breakdown_raw(org, from_date, to_date, dimension, team_filter, department_filter,
                                                              region_filter, network_filter, campaign_filter);
            RETURN;
        END IF;
        RETURN QUERY
        SELECT t.network, t.posts, t.active_ambassadors, t.impressions, t.engagements,
               round(t.engagements::numeric / nullif(t.impressions, 0), 6), round(t.emv, 2)
        FROM rollup.network_totals(org, from_date, to_date) AS t
        ORDER BY t.posts DESC, t.network NULLS LAST;
    END
    $function$;
