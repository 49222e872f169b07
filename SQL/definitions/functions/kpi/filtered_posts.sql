-- The posts of [from, to] with their values (kpi.post_values) and the attributes the dashboard filters on: team,
-- department, region (the ambassador's current ones), network, campaign, content, ambassador. The one place the
-- filters are applied; a NULL filter does not filter. Grain: one row per post.
CREATE OR REPLACE FUNCTION kpi.filtered_posts(org uuid, from_date date, to_date date, team_filter text DEFAULT NULL::text, department_filter text DEFAULT NULL::text, region_filter text DEFAULT NULL::text, network_filter text DEFAULT NULL::text, campaign_filter text DEFAULT NULL::text, content_filter text DEFAULT NULL::text, ambassador_filter text DEFAULT NULL::text)
 RETURNS TABLE(post_id text, ambassador_id text, team text, department text, region text, network text, content_id text, campaign text, posted_on date, impressions bigint, members_reached bigint, engagements bigint, clicks bigint, emv numeric)
 LANGUAGE sql
 STABLE
AS $function$
        SELECT v.post_id, v.ambassador_id, a.team, a.department, a.region, v.network, v.content_id, c.campaign, v.posted_on,
               v.impressions, v.members_reached, v.reactions + v.comments + v.reshares + v.clicks, v.clicks,
               v.impressions_value + v.clicks_value + v.engagement_value
        FROM kpi.post_values(org, from_date, to_date) AS v
        LEFT JOIN core.ambassadors AS a ON a.organization_id = org AND a.ambassador_id = v.ambassador_id
        LEFT JOIN core.content_items AS c ON c.organization_id = org AND c.content_id = v.content_id
        WHERE (team_filter IS NULL OR a.team = team_filter)
          AND (department_filter IS NULL OR a.department = department_filter)
          AND (region_filter IS NULL OR a.region = region_filter)
          AND (network_filter IS NULL OR v.network = network_filter)
          AND (campaign_filter IS NULL OR c.campaign = campaign_filter)
          AND (content_filter IS NULL OR v.content_id = content_filter)
          AND (ambassador_filter IS NULL OR v.ambassador_id = ambassador_filter)
    $function$;
