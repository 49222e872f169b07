-- Every KPI from a period's totals: values, the reason of a NULL, and the detail; the one place each KPI's formula
-- is written, shared by the rollup and the raw computations. Grain: one row per KPI.
CREATE OR REPLACE FUNCTION kpi.kpis_from(t kpi.totals)
 RETURNS TABLE(key text, value numeric, reason text, detail jsonb)
 LANGUAGE sql
 IMMUTABLE
AS $function$
    SELECT r.key, r.value, CASE WHEN r.value IS NULL THEN r.reason END, r.detail
    FROM (
        SELECT t.*, round(t.impressions_value, 2) AS impressions_emv, round(t.clicks_value, 2) AS clicks_emv,
               round(t.engagement_value, 2) AS engagement_emv,
               round(t.impressions_value, 2) + round(t.clicks_value, 2) + round(t.engagement_value, 2) AS emv
    ) AS t
    CROSS JOIN LATERAL (VALUES
        ('active_ambassadors', t.active::numeric, NULL, jsonb_build_object('enrolled_at_end', t.enrolled_at_end)),
        ('adoption_rate', round(t.active::numeric / nullif(t.enrolled_at_end, 0), 6), 'no ambassador enrolled at the end of the period',
         jsonb_build_object('active', t.active, 'enrolled_at_end', t.enrolled_at_end)),
        ('return_per_active_ambassador', round((t.emv + t.won_value) / nullif(t.active, 0), 2), 'no active ambassador in the period',
         jsonb_build_object('emv', t.emv, 'won_value', t.won_value, 'active', t.active)),
        ('content_shares', t.shares::numeric, NULL, jsonb_build_object('distinct_content_items', t.content_items)),
        ('engagement_rate', round(t.engagements::numeric / nullif(t.impressions, 0), 6), 'no impressions for the posts of the period',
         jsonb_build_object('engagements', t.engagements, 'impressions', t.impressions)),
        ('posts', t.posts::numeric, NULL, '{}'::jsonb),
        ('posts_per_active_ambassador', round(t.posts::numeric / nullif(t.active, 0), 4), 'no active ambassador in the period',
         jsonb_build_object('median', t.median_posts, 'p90', t.p90_posts)),
        ('impressions', t.impressions::numeric, NULL, '{}'::jsonb),
        ('members_reached', t.members_reached::numeric, NULL, '{}'::jsonb),
        ('potential_reach', t.potential_reach, NULL,
         jsonb_build_object('label', 'potential', 'posts_without_connection_count', t.posts_without_count)),
        ('new_audience_members', t.new_members::numeric, NULL, '{}'::jsonb),
        ('new_audience_share', round(t.new_members::numeric / nullif(t.touched_members, 0), 6), 'no audience member touched in the period',
         jsonb_build_object('new', t.new_members, 'touched', t.touched_members)),
        ('ssi_average', t.ssi_average, 'no SSI snapshot on or before the end of the period',
         jsonb_build_object('ambassadors', t.ssi_ambassadors)),
        ('ssi_share_above_75', round(t.above_75::numeric / nullif(t.ssi_ambassadors, 0), 6), 'no SSI snapshot on or before the end of the period',
         jsonb_build_object('above_75', t.above_75, 'ambassadors', t.ssi_ambassadors)),
        ('advocacy_visits', t.advocacy_visits::numeric, NULL, jsonb_build_object('all_visits', t.visits)),
        ('advocacy_unique_visitors', t.advocacy_visitors::numeric, NULL, '{}'::jsonb),
        ('advocacy_traffic_share', round(t.advocacy_visits::numeric / nullif(t.visits, 0), 6), 'no visit in the period',
         jsonb_build_object('advocacy_visits', t.advocacy_visits, 'all_visits', t.visits)),
        ('careers_advocacy_visits', t.careers_advocacy_visits::numeric, NULL, '{}'::jsonb),
        ('emv', t.emv, NULL, jsonb_build_object('impressions', t.impressions_emv, 'clicks', t.clicks_emv,
                                                'engagements', t.engagement_emv, 'posts_without_rate_card', t.unpriced_posts)),
        ('programme_cost', t.cost, NULL, '{}'::jsonb),
        ('roi', round((t.emv + t.won_value - t.cost) / nullif(t.cost, 0), 4), 'no programme cost recorded for the period',
         jsonb_build_object('emv', t.emv, 'won_value', t.won_value, 'cost', t.cost)),
        ('advocacy_leads', t.advocacy_leads::numeric, NULL,
         jsonb_build_object('estimated_value', t.estimated_value, 'won_value', t.won_value, 'won', t.advocacy_won)),
        ('advocacy_lead_conversion', round(t.advocacy_won::numeric / nullif(t.advocacy_leads, 0), 6), 'no advocacy lead created in the period',
         kpi.compare_rates(t.advocacy_won, t.advocacy_leads, t.other_won, t.other_leads)
             || kpi.conversion_maturity(t.as_of, t.lead_window, t.advocacy_leads, t.advocacy_open_leads, t.advocacy_lead_median_age,
                                        t.advocacy_won_within, t.advocacy_leads_mature, t.other_won_within, t.other_leads_mature)),
        ('advocacy_applications', t.advocacy_applications::numeric, NULL, jsonb_build_object('other_applications', t.other_applications)),
        ('advocacy_hire_conversion', round(t.advocacy_hired::numeric / nullif(t.advocacy_applications, 0), 6),
         'no advocacy application in the period',
         kpi.compare_rates(t.advocacy_hired, t.advocacy_applications, t.other_hired, t.other_applications)
             || jsonb_build_object('median_days_to_hire_advocacy', t.advocacy_days, 'median_days_to_hire_others', t.other_days)
             || kpi.conversion_maturity(t.as_of, t.hire_window, t.advocacy_applications, t.advocacy_open_applications,
                                        t.advocacy_application_median_age, t.advocacy_hired_within, t.advocacy_applications_mature,
                                        t.other_hired_within, t.other_applications_mature))
    ) AS r (key, value, reason, detail)
    $function$;
