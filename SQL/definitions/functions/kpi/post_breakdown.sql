-- Posting results by team, department, region, network or campaign in a period: from the rollups' slices
-- (rollup.slice_breakdown) when the breakdown and its filters involve at most two dimensions and no day up to the
-- period's end is queued (rollup.settled), otherwise from the posts (kpi.post_breakdown_raw). Grain: one row per
-- value of the dimension.
CREATE OR REPLACE FUNCTION kpi.post_breakdown(org uuid, from_date date, to_date date, dimension text DEFAULT 'team'::text, team_filter text DEFAULT NULL::text, department_filter text DEFAULT NULL::text, region_filter text DEFAULT NULL::text, network_filter text DEFAULT NULL::text, campaign_filter text DEFAULT NULL::text)
 RETURNS TABLE(value text, posts bigint, active_ambassadors bigint, impressions bigint, engagements bigint, engagement_rate numeric, emv numeric)
 LANGUAGE plpgsql
 STABLE
AS $function$
    DECLARE
        slice_dims text;
        slice_first text;
        slice_second text;
        slice_by_second boolean;
    BEGIN
        SELECT s.dims, s.first_value, s.second_value, s.by_second INTO slice_dims, slice_first, slice_second, slice_by_second
        FROM rollup.slice_of(team_filter, department_filter, region_filter, network_filter, campaign_filter, dimension) AS s;
        IF dimension NOT IN ('team', 'department', 'region', 'network', 'campaign') OR slice_dims IS NULL
           OR NOT rollup.settled(org, to_date) THEN
            RETURN QUERY SELECT * FROM kpi.post_breakdown_raw(org, from_date, to_date, dimension, team_filter, department_filter,
                                                              region_filter, network_filter, campaign_filter);
            RETURN;
        END IF;
        RETURN QUERY
        SELECT t.value, t.posts, t.active_ambassadors, t.impressions, t.engagements,
               round(t.engagements::numeric / nullif(t.impressions, 0), 6), round(t.emv, 2)
        FROM rollup.slice_breakdown(org, from_date, to_date, slice_dims, slice_first, slice_second, slice_by_second) AS t
        ORDER BY t.posts DESC, t.value NULLS LAST;
    END
    $function$;
