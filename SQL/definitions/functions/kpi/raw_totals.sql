-- A period's totals straight from the fact tables: the reference the rollups are tested against. Grain: one
-- kpi.totals per period.
CREATE OR REPLACE FUNCTION kpi.raw_totals(org uuid, from_date date, to_date date)
 RETURNS kpi.totals
 LANGUAGE sql
 STABLE
AS $function$
    WITH bounds AS (
        SELECT (from_date::timestamp AT TIME ZONE o.time_zone) AS starts_at,
               ((to_date + 1)::timestamp AT TIME ZONE o.time_zone) AS ends_at,
               -- Maturity is told as of the organisation's today (see kpi.kpis_from).
               (now() AT TIME ZONE o.time_zone)::date AS as_of,
               o.lead_conversion_window_days AS lead_window, o.hire_conversion_window_days AS hire_window
        FROM core.organizations AS o
        WHERE o.organization_id = org
    ),
    period_posts AS (SELECT * FROM kpi.post_values(org, from_date, to_date)),
    enrolled AS (
        SELECT a.ambassador_id, a.left_at IS NULL OR a.left_at >= b.ends_at AS enrolled_at_end
        FROM bounds AS b
        JOIN core.ambassadors AS a ON a.organization_id = org AND a.enrolled_at < b.ends_at
    ),
    per_ambassador AS (
        SELECT p.ambassador_id, count(*) AS posts
        FROM period_posts AS p
        JOIN enrolled AS e USING (ambassador_id)
        GROUP BY p.ambassador_id
    ),
    activity AS (
        SELECT count(*) AS active,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY posts) AS median_posts,
               percentile_cont(0.9) WITHIN GROUP (ORDER BY posts) AS p90_posts
        FROM per_ambassador
    ),
    posting AS (
        SELECT count(*) AS posts, count(content_id) AS shares, count(DISTINCT content_id) AS content_items,
               coalesce(sum(impressions), 0) AS impressions, coalesce(sum(members_reached), 0) AS members_reached,
               coalesce(sum(reactions + comments + reshares + clicks), 0) AS engagements,
               coalesce(sum(impressions_value), 0) AS impressions_value, coalesce(sum(clicks_value), 0) AS clicks_value,
               coalesce(sum(engagement_value), 0) AS engagement_value, count(*) FILTER (WHERE NOT priced) AS unpriced_posts
        FROM period_posts
    ),
    potential AS (
        SELECT coalesce(sum(n.connection_count), 0) AS reach, count(*) FILTER (WHERE n.connection_count IS NULL) AS posts_without_count
        FROM period_posts AS p
        LEFT JOIN core.ambassador_networks AS n
               ON n.organization_id = org AND n.ambassador_id = p.ambassador_id AND n.network::text = p.network
    ),
    ssi AS (
        SELECT count(*) AS ambassadors, round(avg(total_score), 2) AS average, count(*) FILTER (WHERE total_score > 75) AS above_75
        FROM (
            SELECT DISTINCT ON (s.ambassador_id) s.total_score
            FROM fact.ssi_snapshots AS s
            WHERE s.organization_id = org AND s.snapshot_date <= to_date
            ORDER BY s.ambassador_id, s.snapshot_date DESC
        ) AS latest
    ),
    audience AS (
        SELECT (SELECT count(*) FROM fact.audience_members AS m
                WHERE m.organization_id = org AND m.first_touched_at >= b.starts_at AND m.first_touched_at < b.ends_at) AS new_members,
               (SELECT count(DISTINCT t.member_hash) FROM fact.audience_touches AS t
                WHERE t.organization_id = org AND t.occurred_at >= b.starts_at AND t.occurred_at < b.ends_at) AS touched_members
        FROM bounds AS b
    ),
    traffic AS (
        SELECT count(*) AS visits, count(*) FILTER (WHERE v.is_advocacy) AS advocacy_visits,
               count(DISTINCT v.visitor_hash) FILTER (WHERE v.is_advocacy) AS advocacy_visitors,
               count(*) FILTER (WHERE v.is_advocacy AND v.site_section = 'careers') AS careers_advocacy_visits
        FROM bounds AS b
        JOIN fact.web_visits AS v ON v.organization_id = org AND v.occurred_at >= b.starts_at AND v.occurred_at < b.ends_at
    ),
    lead_stats AS (
        SELECT count(*) FILTER (WHERE advocacy) AS advocacy_leads, count(*) FILTER (WHERE advocacy AND won) AS advocacy_won,
               count(*) FILTER (WHERE NOT advocacy) AS other_leads, count(*) FILTER (WHERE NOT advocacy AND won) AS other_won,
               coalesce(sum(estimated_value) FILTER (WHERE advocacy), 0) AS estimated_value,
               coalesce(sum(won_value) FILTER (WHERE advocacy), 0) AS won_value,
               count(*) FILTER (WHERE advocacy AND open) AS advocacy_open_leads,
               round((percentile_cont(0.5) WITHIN GROUP (ORDER BY b.as_of - created_on) FILTER (WHERE advocacy))::numeric, 1)
                   AS advocacy_median_age,
               count(*) FILTER (WHERE advocacy AND created_on <= b.as_of - b.lead_window) AS advocacy_mature,
               count(*) FILTER (WHERE advocacy AND created_on <= b.as_of - b.lead_window AND days_to_win <= b.lead_window)
                   AS advocacy_won_within,
               count(*) FILTER (WHERE NOT advocacy AND created_on <= b.as_of - b.lead_window) AS other_mature,
               count(*) FILTER (WHERE NOT advocacy AND created_on <= b.as_of - b.lead_window AND days_to_win <= b.lead_window)
                   AS other_won_within
        FROM bounds AS b, kpi.period_leads(org, from_date, to_date)
    ),
    application_stats AS (
        SELECT count(*) FILTER (WHERE advocacy) AS advocacy_applications, count(*) FILTER (WHERE advocacy AND hired) AS advocacy_hired,
               count(*) FILTER (WHERE NOT advocacy) AS other_applications, count(*) FILTER (WHERE NOT advocacy AND hired) AS other_hired,
               round((percentile_cont(0.5) WITHIN GROUP (ORDER BY days_to_hire) FILTER (WHERE advocacy AND hired))::numeric, 1) AS advocacy_days,
               round((percentile_cont(0.5) WITHIN GROUP (ORDER BY days_to_hire) FILTER (WHERE NOT advocacy AND hired))::numeric, 1) AS other_days,
               count(*) FILTER (WHERE advocacy AND open) AS advocacy_open_applications,
               round((percentile_cont(0.5) WITHIN GROUP (ORDER BY b.as_of - applied_on) FILTER (WHERE advocacy))::numeric, 1)
                   AS advocacy_median_age,
               count(*) FILTER (WHERE advocacy AND applied_on <= b.as_of - b.hire_window) AS advocacy_mature,
               count(*) FILTER (WHERE advocacy AND applied_on <= b.as_of - b.hire_window AND days_to_hire <= b.hire_window)
                   AS advocacy_hired_within,
               count(*) FILTER (WHERE NOT advocacy AND applied_on <= b.as_of - b.hire_window) AS other_mature,
               count(*) FILTER (WHERE NOT advocacy AND applied_on <= b.as_of - b.hire_window AND days_to_hire <= b.hire_window)
                   AS other_hired_within
        FROM bounds AS b, kpi.period_applications(org, from_date, to_date)
    )
    SELECT ROW(a.active, a.median_posts, a.p90_posts, (SELECT count(*) FROM enrolled WHERE enrolled_at_end),
               p.posts, p.shares, p.content_items, p.impressions, p.members_reached, p.engagements,
               pr.reach, pr.posts_without_count,
               p.impressions_value, p.clicks_value, p.engagement_value, p.unpriced_posts, kpi.period_cost(org, from_date, to_date),
               au.new_members, au.touched_members, s.ambassadors, s.average, s.above_75,
               t.visits, t.advocacy_visits, t.advocacy_visitors, t.careers_advocacy_visits,
               l.advocacy_leads, l.advocacy_won, l.other_leads, l.other_won, l.estimated_value, l.won_value,
               ap.advocacy_applications, ap.advocacy_hired, ap.other_applications, ap.other_hired, ap.advocacy_days, ap.other_days,
               b.as_of, b.lead_window, l.advocacy_open_leads, l.advocacy_median_age, l.advocacy_mature, l.advocacy_won_within,
               l.other_mature, l.other_won_within,
               b.hire_window, ap.advocacy_open_applications, ap.advocacy_median_age, ap.advocacy_mature, ap.advocacy_hired_within,
               ap.other_mature, ap.other_hired_within
           )::kpi.totals
    FROM bounds AS b, activity AS a, posting AS p, potential AS pr, audience AS au, ssi AS s, traffic AS t,
         lead_stats AS l, application_stats AS ap
    $function$;
