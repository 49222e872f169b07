-- 0003: the KPIs of ../shared/KPIS.md, computed in the database, once, for the API and any BI tool.
--
-- kpi.summary(organisation, from, to) answers every KPI for the calendar days [from, to] in the
-- organisation's time zone; kpi.summary_with_previous adds the same-length period just before and the
-- change. A KPI whose denominator is zero is NULL with a reason, never an error. Definitions, units and
-- the facts each KPI reads are in kpi.catalog. These read the fact tables directly.

CREATE SCHEMA kpi;

CREATE TABLE kpi.catalog (
    key      text PRIMARY KEY,
    ordinal  integer NOT NULL UNIQUE,
    family   text NOT NULL,
    name     text NOT NULL,
    unit     text NOT NULL CHECK (unit IN ('count', 'ratio', 'money', 'score', 'days')),
    formula  text NOT NULL,
    facts    text[] NOT NULL
);

INSERT INTO kpi.catalog (ordinal, key, family, name, unit, formula, facts) VALUES
    (1, 'active_ambassadors', 'programme', 'Active ambassadors', 'count',
     'Enrolled ambassadors with at least one post published in the period.', '{ambassadors,posts}'),
    (2, 'adoption_rate', 'programme', 'Adoption rate', 'ratio',
     'Active ambassadors / ambassadors enrolled at the end of the period.', '{ambassadors,posts}'),
    (3, 'return_per_active_ambassador', 'programme', 'Average return per active ambassador', 'money',
     '(EMV + won value of advocacy leads created in the period) / active ambassadors.', '{posts,post_metrics,emv_rate_cards,leads,lead_stage_changes}'),
    (4, 'content_shares', 'content', 'Content shares', 'count',
     'Posts published in the period that share a content item of the library (own posts excluded).', '{posts,content_items}'),
    (5, 'engagement_rate', 'content', 'Content engagement rate', 'ratio',
     '(reactions + comments + reshares + clicks) / impressions, latest metrics of the posts published in the period (LinkedIn''s definition).', '{posts,post_metrics}'),
    (6, 'posts', 'ambassadors', 'Posts', 'count', 'Posts published in the period.', '{posts}'),
    (7, 'posts_per_active_ambassador', 'ambassadors', 'Posts per active ambassador', 'ratio',
     'Posts / active ambassadors; the detail gives the median and the 90th percentile per ambassador.', '{posts,ambassadors}'),
    (8, 'impressions', 'reach', 'Impressions', 'count', 'Impressions of the posts published in the period (latest metrics).', '{posts,post_metrics}'),
    (9, 'members_reached', 'reach', 'Members reached', 'count',
     'Unique viewers of the posts published in the period, summed over posts (latest metrics).', '{posts,post_metrics}'),
    (10, 'potential_reach', 'reach', 'Potential reach', 'count',
     'Potential, not measured: each post''s ambassador''s connections on its network, summed over the posts of the period.', '{posts,ambassador_networks}'),
    (11, 'new_audience_members', 'reach', 'New audience members', 'count',
     'Audience members whose first touch ever falls in the period.', '{audience_touches}'),
    (12, 'new_audience_share', 'reach', 'New audience share', 'ratio',
     'New audience members / audience members touched in the period.', '{audience_touches}'),
    (13, 'ssi_average', 'ssi', 'Average SSI', 'score',
     'Mean total SSI of each ambassador''s latest snapshot on or before the last day of the period.', '{ssi_snapshots}'),
    (14, 'ssi_share_above_75', 'ssi', 'Share of SSI above 75', 'ratio',
     'Ambassadors whose latest snapshot total is above 75 / ambassadors with a snapshot.', '{ssi_snapshots}'),
    (15, 'advocacy_visits', 'traffic', 'Website visits from ambassadors', 'count',
     'Visits in the period whose utm_medium marks advocacy.', '{web_visits}'),
    (16, 'advocacy_unique_visitors', 'traffic', 'Unique visitors from ambassadors', 'count',
     'Distinct visitors of those visits.', '{web_visits}'),
    (17, 'advocacy_traffic_share', 'traffic', 'Advocacy share of traffic', 'ratio',
     'Advocacy visits / all visits in the period.', '{web_visits}'),
    (18, 'careers_advocacy_visits', 'candidates', 'Careers-portal visits from ambassadors', 'count',
     'Advocacy visits to the careers portal in the period.', '{web_visits}'),
    (19, 'emv', 'emv', 'Earned media value', 'money',
     'Sum over the posts of the period of impressions / 1000 x CPM + clicks x CPC + reactions, comments and reshares x their cost, with the rate card in force on the post''s date, in the organisation''s currency.', '{posts,post_metrics,emv_rate_cards}'),
    (20, 'programme_cost', 'emv', 'Programme cost', 'money',
     'Costs in the organisation''s currency, prorated by the days their period shares with this one.', '{programme_costs}'),
    (21, 'roi', 'emv', 'Return on investment', 'ratio',
     '(EMV + won value of advocacy leads created in the period - programme cost) / programme cost.', '{posts,post_metrics,emv_rate_cards,leads,lead_stage_changes,programme_costs}'),
    (22, 'advocacy_leads', 'leads', 'Leads sourced by ambassadors', 'count',
     'Leads created in the period with source channel employee_advocacy; the detail gives estimated and won value.', '{leads,lead_stage_changes}'),
    (23, 'advocacy_lead_conversion', 'leads', 'Lead conversion, advocacy', 'ratio',
     'Won / created for advocacy leads created in the period (a lead is won when its latest stage is won), against every other channel, with 95 % Wilson intervals and the lift.', '{leads,lead_stage_changes}'),
    (24, 'advocacy_applications', 'candidates', 'Applications sourced by ambassadors', 'count',
     'Applications in the period with source channel employee_advocacy.', '{applications}'),
    (25, 'advocacy_hire_conversion', 'candidates', 'Application-to-hire conversion, advocacy', 'ratio',
     'Hired / applications for advocacy applications of the period (hired when the latest stage is hired), against other sources, with 95 % Wilson intervals, the lift and the median days to hire.', '{applications,application_stage_changes}');

-- ---------------------------------------------------------------------------------------------------------
-- Periods.

-- The named periods, as calendar days in the organisation's time zone, today included.
CREATE FUNCTION kpi.named_period(org uuid, period text, OUT from_date date, OUT to_date date)
    LANGUAGE plpgsql STABLE
    AS $$
    DECLARE
        today date;
    BEGIN
        SELECT (now() AT TIME ZONE o.time_zone)::date INTO today FROM core.organizations AS o WHERE o.organization_id = org;
        CASE period
            WHEN 'last_7_days' THEN from_date := today - 6; to_date := today;
            WHEN 'last_30_days' THEN from_date := today - 29; to_date := today;
            WHEN 'this_month' THEN from_date := date_trunc('month', today)::date; to_date := today;
            WHEN 'last_month' THEN
                from_date := (date_trunc('month', today) - interval '1 month')::date;
                to_date := (date_trunc('month', today) - interval '1 day')::date;
            WHEN 'this_quarter' THEN from_date := date_trunc('quarter', today)::date; to_date := today;
            WHEN 'year_to_date' THEN from_date := date_trunc('year', today)::date; to_date := today;
            ELSE RAISE EXCEPTION 'unknown period "%"', period
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'last_7_days, last_30_days, this_month, last_month, this_quarter or year_to_date';
        END CASE;
    END
    $$;

-- ---------------------------------------------------------------------------------------------------------
-- Statistics.

-- The 95 % Wilson score interval of a proportion: sound for small samples and rates near 0 or 1.
CREATE FUNCTION kpi.wilson(successes bigint, trials bigint, OUT low numeric, OUT high numeric)
    LANGUAGE sql IMMUTABLE
    AS $$
        SELECT round(((center - half) / denominator)::numeric, 6), round(((center + half) / denominator)::numeric, 6)
        FROM (
            SELECT p + z * z / (2 * n) AS center,
                   z * sqrt(p * (1 - p) / n + z * z / (4 * n * n)) AS half,
                   1 + z * z / n AS denominator
            FROM (SELECT successes::float8 / trials AS p, trials::float8 AS n, 1.959963984540054::float8 AS z) AS inputs
        ) AS parts
        WHERE trials > 0
    $$;

-- One group's conversion: counts, rate and 95 % Wilson interval.
CREATE FUNCTION kpi.rate_group(successes bigint, trials bigint) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    AS $$
        SELECT jsonb_build_object('successes', successes, 'trials', trials,
                                  'rate', CASE WHEN trials > 0 THEN round(successes::numeric / trials, 6) END,
                                  'ci95_low', w.low, 'ci95_high', w.high)
        FROM kpi.wilson(successes, trials) AS w
    $$;

-- Two groups' conversion compared: each group's rate and interval, the lift (rate a / rate b) with its 95 %
-- interval (Katz's log method), and whether the samples allow a conclusion.
CREATE FUNCTION kpi.compare_rates(won_a bigint, n_a bigint, won_b bigint, n_b bigint) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    AS $$
        SELECT jsonb_build_object(
            'advocacy', kpi.rate_group(won_a, n_a),
            'others', kpi.rate_group(won_b, n_b),
            'lift', CASE WHEN n_a > 0 AND won_b > 0 THEN round((won_a::numeric / n_a) / (won_b::numeric / n_b), 4) END,
            'lift_ci95_low', round(exp(log_lift - margin)::numeric, 4),
            'lift_ci95_high', round(exp(log_lift + margin)::numeric, 4),
            'conclusive', conclusive,
            'note', CASE WHEN NOT conclusive
                         THEN 'too few cases to conclude: each group needs at least 5 successes and 5 failures' END
        )
        FROM (
            SELECT CASE WHEN won_a > 0 AND won_b > 0 THEN ln((won_a::float8 / n_a) / (won_b::float8 / n_b)) END AS log_lift,
                   CASE WHEN won_a > 0 AND won_b > 0
                        THEN 1.959963984540054 * sqrt(1.0 / won_a - 1.0 / n_a + 1.0 / won_b - 1.0 / n_b) END AS margin,
                   -- The usual rule of thumb for a normal approximation: 5 successes and 5 failures per group.
                   won_a >= 5 AND n_a - won_a >= 5 AND won_b >= 5 AND n_b - won_b >= 5 AS conclusive
        ) AS parts
    $$;

-- ---------------------------------------------------------------------------------------------------------
-- Each post published in [from, to] with its latest metrics (none: zeros) and its earned media value, each
-- part valued with the rate card of its network in force on its day, in the organisation's currency.

CREATE FUNCTION kpi.post_values(org uuid, from_date date, to_date date)
    RETURNS TABLE (post_id text, ambassador_id text, network text, content_id text, posted_on date, impressions bigint,
                   members_reached bigint, reactions bigint, comments bigint, reshares bigint, clicks bigint,
                   impressions_value numeric, clicks_value numeric, engagement_value numeric, priced boolean)
    LANGUAGE sql STABLE
    AS $$
        SELECT p.post_id, p.ambassador_id, p.network::text, p.content_id, p.posted_on,
               p.impressions, p.members_reached, p.reactions, p.comments, p.reshares, p.clicks,
               p.impressions / 1000.0 * r.cpm, p.clicks * r.cpc,
               p.reactions * r.cost_per_reaction + p.comments * r.cost_per_comment + p.reshares * r.cost_per_reshare,
               r.cpm IS NOT NULL
        FROM (
            SELECT p.post_id, p.ambassador_id, p.network, p.content_id, (p.posted_at AT TIME ZONE o.time_zone)::date AS posted_on,
                   o.currency, coalesce(m.impressions, 0) AS impressions, coalesce(m.members_reached, 0) AS members_reached,
                   coalesce(m.reactions, 0) AS reactions, coalesce(m.comments, 0) AS comments,
                   coalesce(m.reshares, 0) AS reshares, coalesce(m.clicks, 0) AS clicks
            FROM core.organizations AS o
            JOIN fact.posts AS p
              ON p.organization_id = o.organization_id
             AND p.posted_at >= (from_date::timestamp AT TIME ZONE o.time_zone)
             AND p.posted_at < ((to_date + 1)::timestamp AT TIME ZONE o.time_zone)
            LEFT JOIN fact.post_metrics AS m ON m.organization_id = o.organization_id AND m.post_id = p.post_id
            WHERE o.organization_id = org
        ) AS p
        LEFT JOIN LATERAL (
            SELECT c.* FROM core.emv_rate_cards AS c
            WHERE c.organization_id = org AND c.network = p.network AND c.currency = p.currency AND c.effective_from <= p.posted_on
            ORDER BY c.effective_from DESC
            LIMIT 1
        ) AS r ON true
    $$;

-- ---------------------------------------------------------------------------------------------------------
-- Every KPI for one period.

CREATE FUNCTION kpi.summary(org uuid, from_date date, to_date date)
    RETURNS TABLE (key text, value numeric, reason text, detail jsonb)
    LANGUAGE sql STABLE
    AS $$
    WITH bounds AS (
        SELECT (from_date::timestamp AT TIME ZONE o.time_zone) AS starts_at,
               ((to_date + 1)::timestamp AT TIME ZONE o.time_zone) AS ends_at,
               o.currency, o.time_zone
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
               coalesce(sum(reactions + comments + reshares + clicks), 0) AS engagements
        FROM period_posts
    ),
    potential AS (
        SELECT sum(n.connection_count) AS reach, count(*) FILTER (WHERE n.connection_count IS NULL) AS posts_without_count
        FROM period_posts AS p
        LEFT JOIN core.ambassador_networks AS n
               ON n.organization_id = org AND n.ambassador_id = p.ambassador_id AND n.network::text = p.network
    ),
    emv AS (
        SELECT round(coalesce(sum(impressions_value), 0), 2) AS impressions_value,
               round(coalesce(sum(clicks_value), 0), 2) AS clicks_value,
               round(coalesce(sum(engagement_value), 0), 2) AS engagement_value,
               count(*) FILTER (WHERE NOT priced) AS unpriced_posts
        FROM period_posts
    ),
    costs AS (
        SELECT round(coalesce(sum(c.amount * (least(c.period_end, to_date) - greatest(c.period_start, from_date) + 1)
                                  / (c.period_end - c.period_start + 1)), 0), 2) AS amount
        FROM bounds AS b
        JOIN core.programme_costs AS c
          ON c.organization_id = org AND c.currency = b.currency AND c.period_start <= to_date AND c.period_end >= from_date
    ),
    audience AS (
        SELECT (SELECT count(*) FROM fact.audience_members AS m
                WHERE m.organization_id = org AND m.first_touched_at >= b.starts_at AND m.first_touched_at < b.ends_at) AS new_members,
               (SELECT count(DISTINCT t.member_hash) FROM fact.audience_touches AS t
                WHERE t.organization_id = org AND t.occurred_at >= b.starts_at AND t.occurred_at < b.ends_at) AS touched_members
        FROM bounds AS b
    ),
    ssi AS (
        SELECT count(*) AS ambassadors, round(avg(total_score), 2) AS average,
               count(*) FILTER (WHERE total_score > 75) AS above_75
        FROM (
            SELECT DISTINCT ON (s.ambassador_id) s.total_score
            FROM fact.ssi_snapshots AS s
            WHERE s.organization_id = org AND s.snapshot_date <= to_date
            ORDER BY s.ambassador_id, s.snapshot_date DESC
        ) AS latest
    ),
    traffic AS (
        SELECT count(*) AS visits, count(*) FILTER (WHERE v.is_advocacy) AS advocacy_visits,
               count(DISTINCT v.visitor_hash) FILTER (WHERE v.is_advocacy) AS advocacy_visitors,
               count(*) FILTER (WHERE v.is_advocacy AND v.site_section = 'careers') AS careers_advocacy_visits
        FROM bounds AS b
        JOIN fact.web_visits AS v ON v.organization_id = org AND v.occurred_at >= b.starts_at AND v.occurred_at < b.ends_at
    ),
    -- Leads created in the period with their current stage (their latest change).
    period_leads AS (
        SELECT l.source_channel = 'employee_advocacy' AS advocacy, l.estimated_value, l.currency,
               s.stage = 'won' AS won, s.won_amount, s.currency AS won_currency, b.currency AS org_currency
        FROM bounds AS b
        JOIN fact.leads AS l ON l.organization_id = org AND l.created_at >= b.starts_at AND l.created_at < b.ends_at
        LEFT JOIN LATERAL (
            SELECT c.stage, c.won_amount, c.currency
            FROM fact.lead_stage_changes AS c
            WHERE c.organization_id = org AND c.lead_id = l.lead_id
            ORDER BY c.changed_at DESC, c.change_id DESC
            LIMIT 1
        ) AS s ON true
    ),
    lead_stats AS (
        SELECT count(*) FILTER (WHERE advocacy) AS advocacy_leads,
               count(*) FILTER (WHERE advocacy AND won) AS advocacy_won,
               count(*) FILTER (WHERE NOT advocacy) AS other_leads,
               count(*) FILTER (WHERE NOT advocacy AND won) AS other_won,
               coalesce(sum(estimated_value) FILTER (WHERE advocacy AND currency = org_currency), 0) AS estimated_value,
               coalesce(sum(won_amount) FILTER (WHERE advocacy AND won AND won_currency = org_currency), 0) AS won_value
        FROM period_leads
    ),
    period_applications AS (
        SELECT a.source_channel = 'employee_advocacy' AS advocacy, s.stage = 'hired' AS hired,
               extract(epoch FROM s.changed_at - a.applied_at) / 86400 AS days_to_hire
        FROM bounds AS b
        JOIN fact.applications AS a ON a.organization_id = org AND a.applied_at >= b.starts_at AND a.applied_at < b.ends_at
        LEFT JOIN LATERAL (
            SELECT c.stage, c.changed_at
            FROM fact.application_stage_changes AS c
            WHERE c.organization_id = org AND c.application_id = a.application_id
            ORDER BY c.changed_at DESC, c.change_id DESC
            LIMIT 1
        ) AS s ON true
    ),
    application_stats AS (
        SELECT count(*) FILTER (WHERE advocacy) AS advocacy_applications,
               count(*) FILTER (WHERE advocacy AND hired) AS advocacy_hired,
               count(*) FILTER (WHERE NOT advocacy) AS other_applications,
               count(*) FILTER (WHERE NOT advocacy AND hired) AS other_hired,
               round((percentile_cont(0.5) WITHIN GROUP (ORDER BY days_to_hire) FILTER (WHERE advocacy AND hired))::numeric, 1) AS advocacy_days,
               round((percentile_cont(0.5) WITHIN GROUP (ORDER BY days_to_hire) FILTER (WHERE NOT advocacy AND hired))::numeric, 1) AS other_days
        FROM period_applications
    ),
    totals AS (
        SELECT a.active, a.median_posts, a.p90_posts,
               (SELECT count(*) FROM enrolled WHERE enrolled_at_end) AS enrolled_at_end,
               p.posts, p.shares, p.content_items, p.impressions, p.members_reached, p.engagements,
               pr.reach AS potential_reach, pr.posts_without_count,
               e.impressions_value, e.clicks_value, e.engagement_value, e.unpriced_posts,
               e.impressions_value + e.clicks_value + e.engagement_value AS emv,
               c.amount AS cost, au.new_members, au.touched_members,
               s.ambassadors AS ssi_ambassadors, s.average AS ssi_average, s.above_75,
               t.visits, t.advocacy_visits, t.advocacy_visitors, t.careers_advocacy_visits,
               l.*, ap.*
        FROM activity AS a, posting AS p, potential AS pr, emv AS e, costs AS c, audience AS au, ssi AS s,
             traffic AS t, lead_stats AS l, application_stats AS ap
    )
    SELECT r.key, r.value, CASE WHEN r.value IS NULL THEN r.reason END, r.detail
    FROM totals AS t
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
        ('potential_reach', coalesce(t.potential_reach, 0)::numeric, NULL,
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
        ('emv', t.emv, NULL, jsonb_build_object('impressions', t.impressions_value, 'clicks', t.clicks_value,
                                                'engagements', t.engagement_value, 'posts_without_rate_card', t.unpriced_posts)),
        ('programme_cost', t.cost, NULL, '{}'::jsonb),
        ('roi', round((t.emv + t.won_value - t.cost) / nullif(t.cost, 0), 4), 'no programme cost recorded for the period',
         jsonb_build_object('emv', t.emv, 'won_value', t.won_value, 'cost', t.cost)),
        ('advocacy_leads', t.advocacy_leads::numeric, NULL,
         jsonb_build_object('estimated_value', t.estimated_value, 'won_value', t.won_value, 'won', t.advocacy_won)),
        ('advocacy_lead_conversion', round(t.advocacy_won::numeric / nullif(t.advocacy_leads, 0), 6), 'no advocacy lead created in the period',
         kpi.compare_rates(t.advocacy_won, t.advocacy_leads, t.other_won, t.other_leads)),
        ('advocacy_applications', t.advocacy_applications::numeric, NULL, jsonb_build_object('other_applications', t.other_applications)),
        ('advocacy_hire_conversion', round(t.advocacy_hired::numeric / nullif(t.advocacy_applications, 0), 6),
         'no advocacy application in the period',
         kpi.compare_rates(t.advocacy_hired, t.advocacy_applications, t.other_hired, t.other_applications)
             || jsonb_build_object('median_days_to_hire_advocacy', t.advocacy_days, 'median_days_to_hire_others', t.other_days))
    ) AS r (key, value, reason, detail)
    $$;

-- Every KPI for a period and for the same number of days just before it, with the change.
CREATE FUNCTION kpi.summary_with_previous(org uuid, from_date date, to_date date)
    RETURNS TABLE (ordinal integer, key text, family text, name text, unit text, value numeric, previous numeric, change numeric,
                   change_ratio numeric, reason text, detail jsonb)
    LANGUAGE sql STABLE
    AS $$
        SELECT c.ordinal, c.key, c.family, c.name, c.unit, now.value, before.value, now.value - before.value,
               round((now.value - before.value) / nullif(abs(before.value), 0), 6), now.reason, now.detail
        FROM kpi.summary(org, from_date, to_date) AS now
        JOIN kpi.summary(org, from_date - (to_date - from_date + 1), from_date - 1) AS before USING (key)
        JOIN kpi.catalog AS c USING (key)
        ORDER BY c.ordinal
    $$;

-- ---------------------------------------------------------------------------------------------------------
-- A read-only role for BI tools (Metabase, Grafana, psql): the same numbers as the API.
-- Grant it to a login role: CREATE ROLE metabase LOGIN PASSWORD '...' IN ROLE advocacy_reader;

DO $$
BEGIN
    CREATE ROLE advocacy_reader NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    -- Roles belong to the cluster: another database's migration, maybe running right now, made it.
    NULL;
END
$$;

GRANT USAGE ON SCHEMA core, fact, kpi TO advocacy_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA core, fact, kpi TO advocacy_reader;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA kpi TO advocacy_reader;
