-- 0010: rollups, so that dashboards read a few hundred rows whatever the history, and the same KPIs from
-- the raw facts, kept as the reference the tests compare against.
--
-- What is kept, per organisation and calendar day in its time zone:
--   rollup.daily          every additive measure of the day (posts, impressions, EMV parts, visits, leads...);
--   rollup.entity_days    who was there that day: posters (ambassadors with a post), content items shared,
--                         advocacy visitors, audience members touched, with how many facts each;
--   rollup.entities_seen  per kind and day, how many of those entities are seen for the first time, and how
--                         many were last seen at least g days before, for every g. The distinct entities of
--                         [a, b] are, summed over its days d, those seen on d for the first time or not in
--                         the d - a days before: exact distinct counts from one row a day;
--   rollup.ambassador_posts  each ambassador's cumulative posts per day, for the posts per ambassador of any
--                         period (active ambassadors, median and p90) from one row an ambassador.
-- Programme costs, enrolment and SSI are small and read live.
--
-- Maintenance: statement triggers on the facts queue the days a change touches in rollup.dirty_days (an
-- append-only queue: ingestion never waits for maintenance). rollup.maintain(org, ...) recomputes queued days
-- from the raw facts under a per-organisation advisory lock, so any number of service instances (and the API,
-- which refreshes the days a request reads before answering) can run it at once: one works, the others skip
-- (the worker) or wait (a reader). A late fact queues its own day; a change in who was seen on a day queues
-- the next day that entity was seen, whose gap it changes.

CREATE SCHEMA rollup;

-- The queue and the per-entity tables have no foreign key: they take thousands of rows a statement, and
-- core.delete_organization clears them (it is redefined below to include this schema).
CREATE TABLE rollup.dirty_days (
    entry_id        bigserial PRIMARY KEY,
    organization_id uuid NOT NULL,
    day             date NOT NULL,
    queued_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dirty_days_by_day ON rollup.dirty_days (organization_id, day);

CREATE TABLE rollup.daily (
    organization_id          uuid NOT NULL REFERENCES core.organizations ON DELETE CASCADE,
    day                      date NOT NULL,
    posts                    bigint NOT NULL CHECK (posts >= 0),
    shares                   bigint NOT NULL CHECK (shares BETWEEN 0 AND posts),
    impressions              bigint NOT NULL CHECK (impressions >= 0),
    members_reached          bigint NOT NULL CHECK (members_reached >= 0),
    engagements              bigint NOT NULL CHECK (engagements >= 0),
    -- EMV parts unrounded: rounding happens once, on the period's sum, as in the raw computation.
    impressions_value        numeric NOT NULL CHECK (impressions_value >= 0),
    clicks_value             numeric NOT NULL CHECK (clicks_value >= 0),
    engagement_value         numeric NOT NULL CHECK (engagement_value >= 0),
    unpriced_posts           bigint NOT NULL CHECK (unpriced_posts >= 0),
    potential_reach          numeric NOT NULL CHECK (potential_reach >= 0),
    posts_without_count      bigint NOT NULL CHECK (posts_without_count >= 0),
    visits                   bigint NOT NULL CHECK (visits >= 0),
    advocacy_visits          bigint NOT NULL CHECK (advocacy_visits BETWEEN 0 AND visits),
    attributed_visits        bigint NOT NULL CHECK (attributed_visits BETWEEN 0 AND advocacy_visits),
    careers_visits           bigint NOT NULL CHECK (careers_visits BETWEEN 0 AND visits),
    careers_advocacy_visits  bigint NOT NULL CHECK (careers_advocacy_visits BETWEEN 0 AND careers_visits),
    advocacy_leads           bigint NOT NULL CHECK (advocacy_leads >= 0),
    advocacy_won             bigint NOT NULL CHECK (advocacy_won BETWEEN 0 AND advocacy_leads),
    other_leads              bigint NOT NULL CHECK (other_leads >= 0),
    other_won                bigint NOT NULL CHECK (other_won BETWEEN 0 AND other_leads),
    estimated_value          numeric NOT NULL CHECK (estimated_value >= 0),
    won_value                numeric NOT NULL CHECK (won_value >= 0),
    advocacy_applications    bigint NOT NULL CHECK (advocacy_applications >= 0),
    advocacy_hired           bigint NOT NULL CHECK (advocacy_hired BETWEEN 0 AND advocacy_applications),
    other_applications       bigint NOT NULL CHECK (other_applications >= 0),
    other_hired              bigint NOT NULL CHECK (other_hired BETWEEN 0 AND other_applications),
    -- Days from application to hire of the day's hires: medians are not additive, so the values are kept.
    advocacy_days_to_hire    float8[] NOT NULL,
    other_days_to_hire       float8[] NOT NULL,
    -- What the day's SSI snapshots change in "each ambassador's latest snapshot": ambassadors with a first
    -- snapshot, the change of the sum of totals, of the count above 75. Summed over the days up to d, they
    -- give the state at d.
    ssi_ambassadors_change   bigint NOT NULL CHECK (ssi_ambassadors_change >= 0),
    ssi_total_change         numeric NOT NULL,
    ssi_above_75_change      bigint NOT NULL,
    PRIMARY KEY (organization_id, day)
);

CREATE TABLE rollup.entity_days (
    organization_id uuid NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('poster', 'content', 'visitor', 'member')),
    entity          bytea NOT NULL,        -- an ambassador or content id (UTF-8), or a visitor or member hash
    day             date NOT NULL,
    facts           integer NOT NULL CHECK (facts > 0),
    PRIMARY KEY (organization_id, kind, entity, day)
);
-- The day first: led by organization_id, the planner (misled by per-tenant statistics) would walk this
-- index and filter instead of the primary key when looking for an entity's previous or next day.
CREATE INDEX entity_days_by_day ON rollup.entity_days (day, organization_id);

CREATE TABLE rollup.entities_seen (
    organization_id uuid NOT NULL,
    kind            text NOT NULL,
    day             date NOT NULL,
    first_time      integer NOT NULL CHECK (first_time >= 0),   -- entities never seen before that day
    -- seen_again[g]: entities seen that day that were last seen g or more days before (g >= 1); the array
    -- stops at the longest gap. One array read a day answers "seen that day and not in the d - a days before".
    seen_again      integer[] NOT NULL,
    PRIMARY KEY (organization_id, kind, day)
);

CREATE TABLE rollup.ambassador_posts (
    organization_id uuid NOT NULL REFERENCES core.organizations ON DELETE CASCADE,
    ambassador_id   core.external_id NOT NULL,
    first_day       date NOT NULL,
    -- cumulative[i]: posts on first_day .. first_day + i - 1; the last element is the ambassador's last post day.
    cumulative      integer[] NOT NULL CHECK (cardinality(cumulative) > 0),
    PRIMARY KEY (organization_id, ambassador_id)
);

-- ---------------------------------------------------------------------------------------------------------
-- Facts shared by the raw and the rollup computations.

-- Leads created in [from, to] with their current stage (their latest change) and values in the
-- organisation's currency (NULL in another currency).
CREATE FUNCTION kpi.period_leads(org uuid, from_date date, to_date date)
    RETURNS TABLE (created_on date, advocacy boolean, won boolean, estimated_value numeric, won_value numeric)
    LANGUAGE sql STABLE
    AS $$
        SELECT (l.created_at AT TIME ZONE o.time_zone)::date, l.source_channel = 'employee_advocacy', coalesce(s.stage = 'won', false),
               CASE WHEN l.currency = o.currency THEN l.estimated_value END,
               CASE WHEN s.stage = 'won' AND s.currency = o.currency THEN s.won_amount END
        FROM core.organizations AS o
        JOIN fact.leads AS l
          ON l.organization_id = o.organization_id
         AND l.created_at >= (from_date::timestamp AT TIME ZONE o.time_zone)
         AND l.created_at < ((to_date + 1)::timestamp AT TIME ZONE o.time_zone)
        LEFT JOIN LATERAL (
            SELECT c.stage, c.won_amount, c.currency
            FROM fact.lead_stage_changes AS c
            WHERE c.organization_id = o.organization_id AND c.lead_id = l.lead_id
            ORDER BY c.changed_at DESC, c.change_id DESC
            LIMIT 1
        ) AS s ON true
        WHERE o.organization_id = org
    $$;

-- Applications received in [from, to] with their current stage and, when hired, the days it took.
CREATE FUNCTION kpi.period_applications(org uuid, from_date date, to_date date)
    RETURNS TABLE (applied_on date, advocacy boolean, hired boolean, days_to_hire float8)
    LANGUAGE sql STABLE
    AS $$
        SELECT (a.applied_at AT TIME ZONE o.time_zone)::date, a.source_channel = 'employee_advocacy', coalesce(s.stage = 'hired', false),
               CASE WHEN s.stage = 'hired' THEN (extract(epoch FROM s.changed_at - a.applied_at) / 86400)::float8 END
        FROM core.organizations AS o
        JOIN fact.applications AS a
          ON a.organization_id = o.organization_id
         AND a.applied_at >= (from_date::timestamp AT TIME ZONE o.time_zone)
         AND a.applied_at < ((to_date + 1)::timestamp AT TIME ZONE o.time_zone)
        LEFT JOIN LATERAL (
            SELECT c.stage, c.changed_at
            FROM fact.application_stage_changes AS c
            WHERE c.organization_id = o.organization_id AND c.application_id = a.application_id
            ORDER BY c.changed_at DESC, c.change_id DESC
            LIMIT 1
        ) AS s ON true
        WHERE o.organization_id = org
    $$;

-- Programme costs in the organisation's currency, prorated by the days their period shares with [from, to].
CREATE FUNCTION kpi.period_cost(org uuid, from_date date, to_date date) RETURNS numeric
    LANGUAGE sql STABLE
    AS $$
        SELECT round(coalesce(sum(c.amount * (least(c.period_end, to_date) - greatest(c.period_start, from_date) + 1)
                                  / (c.period_end - c.period_start + 1)), 0), 2)
        FROM core.organizations AS o
        JOIN core.programme_costs AS c
          ON c.organization_id = o.organization_id AND c.currency = o.currency
         AND c.period_start <= to_date AND c.period_end >= from_date
        WHERE o.organization_id = org
    $$;

-- Each post of [from, to] with its latest metrics and its EMV, as in 0003, planned for row-level security:
-- the period's bounds are computed once (an init plan, so the index on posted_at applies under the tenant
-- policy), and each rate card is joined by the days it is in force instead of a lookup a post.
CREATE OR REPLACE FUNCTION kpi.post_values(org uuid, from_date date, to_date date)
    RETURNS TABLE (post_id text, ambassador_id text, network text, content_id text, posted_on date, impressions bigint,
                   members_reached bigint, reactions bigint, comments bigint, reshares bigint, clicks bigint,
                   impressions_value numeric, clicks_value numeric, engagement_value numeric, priced boolean)
    LANGUAGE sql STABLE
    AS $$
        WITH organization AS (
            SELECT o.time_zone, o.currency, (from_date::timestamp AT TIME ZONE o.time_zone) AS starts_at,
                   ((to_date + 1)::timestamp AT TIME ZONE o.time_zone) AS ends_at
            FROM core.organizations AS o
            WHERE o.organization_id = org
        ),
        cards AS (
            SELECT c.*, lead(c.effective_from) OVER (PARTITION BY c.network ORDER BY c.effective_from) AS superseded_on
            FROM core.emv_rate_cards AS c
            WHERE c.organization_id = org AND c.currency = (SELECT currency FROM organization)
        ),
        posts AS (
            SELECT p.post_id, p.ambassador_id, p.network, p.content_id,
                   (p.posted_at AT TIME ZONE (SELECT time_zone FROM organization))::date AS posted_on,
                   coalesce(m.impressions, 0) AS impressions, coalesce(m.members_reached, 0) AS members_reached,
                   coalesce(m.reactions, 0) AS reactions, coalesce(m.comments, 0) AS comments,
                   coalesce(m.reshares, 0) AS reshares, coalesce(m.clicks, 0) AS clicks
            FROM fact.posts AS p
            LEFT JOIN fact.post_metrics AS m ON m.organization_id = org AND m.post_id = p.post_id
            WHERE p.organization_id = org
              AND p.posted_at >= (SELECT starts_at FROM organization) AND p.posted_at < (SELECT ends_at FROM organization)
        )
        SELECT p.post_id, p.ambassador_id, p.network::text, p.content_id, p.posted_on,
               p.impressions, p.members_reached, p.reactions, p.comments, p.reshares, p.clicks,
               p.impressions / 1000.0 * r.cpm, p.clicks * r.cpc,
               p.reactions * r.cost_per_reaction + p.comments * r.cost_per_comment + p.reshares * r.cost_per_reshare,
               r.cpm IS NOT NULL
        FROM posts AS p
        LEFT JOIN cards AS r
               ON r.network = p.network AND r.effective_from <= p.posted_on AND (r.superseded_on IS NULL OR p.posted_on < r.superseded_on)
    $$;

-- ---------------------------------------------------------------------------------------------------------
-- The summary, in two steps: the period's totals (from the raw facts or from the rollups), then the KPIs
-- built from the totals by one function, so that both computations give the same answer in the same form.

CREATE TYPE kpi.totals AS (
    active bigint, median_posts float8, p90_posts float8, enrolled_at_end bigint,
    posts bigint, shares bigint, content_items bigint, impressions bigint, members_reached bigint, engagements bigint,
    potential_reach numeric, posts_without_count bigint,
    impressions_value numeric, clicks_value numeric, engagement_value numeric, unpriced_posts bigint, cost numeric,
    new_members bigint, touched_members bigint,
    ssi_ambassadors bigint, ssi_average numeric, above_75 bigint,
    visits bigint, advocacy_visits bigint, advocacy_visitors bigint, careers_advocacy_visits bigint,
    advocacy_leads bigint, advocacy_won bigint, other_leads bigint, other_won bigint, estimated_value numeric, won_value numeric,
    advocacy_applications bigint, advocacy_hired bigint, other_applications bigint, other_hired bigint,
    advocacy_days numeric, other_days numeric
);

-- The totals straight from the fact tables: the reference.
CREATE FUNCTION kpi.raw_totals(org uuid, from_date date, to_date date) RETURNS kpi.totals
    LANGUAGE sql STABLE
    AS $$
    WITH bounds AS (
        SELECT (from_date::timestamp AT TIME ZONE o.time_zone) AS starts_at,
               ((to_date + 1)::timestamp AT TIME ZONE o.time_zone) AS ends_at
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
               coalesce(sum(won_value) FILTER (WHERE advocacy), 0) AS won_value
        FROM kpi.period_leads(org, from_date, to_date)
    ),
    application_stats AS (
        SELECT count(*) FILTER (WHERE advocacy) AS advocacy_applications, count(*) FILTER (WHERE advocacy AND hired) AS advocacy_hired,
               count(*) FILTER (WHERE NOT advocacy) AS other_applications, count(*) FILTER (WHERE NOT advocacy AND hired) AS other_hired,
               round((percentile_cont(0.5) WITHIN GROUP (ORDER BY days_to_hire) FILTER (WHERE advocacy AND hired))::numeric, 1) AS advocacy_days,
               round((percentile_cont(0.5) WITHIN GROUP (ORDER BY days_to_hire) FILTER (WHERE NOT advocacy AND hired))::numeric, 1) AS other_days
        FROM kpi.period_applications(org, from_date, to_date)
    )
    SELECT ROW(a.active, a.median_posts, a.p90_posts, (SELECT count(*) FROM enrolled WHERE enrolled_at_end),
               p.posts, p.shares, p.content_items, p.impressions, p.members_reached, p.engagements,
               pr.reach, pr.posts_without_count,
               p.impressions_value, p.clicks_value, p.engagement_value, p.unpriced_posts, kpi.period_cost(org, from_date, to_date),
               au.new_members, au.touched_members, s.ambassadors, s.average, s.above_75,
               t.visits, t.advocacy_visits, t.advocacy_visitors, t.careers_advocacy_visits,
               l.advocacy_leads, l.advocacy_won, l.other_leads, l.other_won, l.estimated_value, l.won_value,
               ap.advocacy_applications, ap.advocacy_hired, ap.other_applications, ap.other_hired, ap.advocacy_days, ap.other_days
           )::kpi.totals
    FROM activity AS a, posting AS p, potential AS pr, audience AS au, ssi AS s, traffic AS t,
         lead_stats AS l, application_stats AS ap
    $$;

-- The distinct entities of a kind seen in [from, to], and those seen for the first time ever, from the gaps:
-- an entity counts on the first day of the period it is seen, where its gap is 0 or reaches before from.
CREATE FUNCTION rollup.distinct_entities(org uuid, entity_kind text, from_date date, to_date date,
                                         OUT seen bigint, OUT first_seen bigint)
    LANGUAGE sql STABLE
    AS $$
        SELECT coalesce(sum(s.first_time + coalesce(s.seen_again[s.day - from_date + 1], 0)), 0), coalesce(sum(s.first_time), 0)
        FROM rollup.entities_seen AS s
        WHERE s.organization_id = org AND s.kind = entity_kind AND s.day BETWEEN from_date AND to_date
    $$;

-- Each ambassador's posts in [from, to] from the cumulative counts: two array reads an ambassador.
CREATE FUNCTION rollup.posts_per_ambassador(org uuid, from_date date, to_date date)
    RETURNS TABLE (ambassador_id text, posts integer)
    LANGUAGE sql STABLE
    AS $$
        SELECT c.ambassador_id, c.through_to - c.before_from
        FROM (
            SELECT a.ambassador_id,
                   CASE WHEN to_date < a.first_day THEN 0
                        ELSE a.cumulative[least(to_date - a.first_day + 1, cardinality(a.cumulative))] END AS through_to,
                   CASE WHEN from_date <= a.first_day THEN 0
                        ELSE a.cumulative[least(from_date - a.first_day, cardinality(a.cumulative))] END AS before_from
            FROM rollup.ambassador_posts AS a
            WHERE a.organization_id = org
        ) AS c
        WHERE c.through_to > c.before_from
    $$;

-- The totals from the rollups: what the API and the dashboards read.
CREATE FUNCTION kpi.rollup_totals(org uuid, from_date date, to_date date) RETURNS kpi.totals
    LANGUAGE sql STABLE
    AS $$
    WITH bounds AS (
        SELECT ((to_date + 1)::timestamp AT TIME ZONE o.time_zone) AS ends_at
        FROM core.organizations AS o
        WHERE o.organization_id = org
    ),
    enrolled AS (
        SELECT a.ambassador_id, a.left_at IS NULL OR a.left_at >= b.ends_at AS enrolled_at_end
        FROM bounds AS b
        JOIN core.ambassadors AS a ON a.organization_id = org AND a.enrolled_at < b.ends_at
    ),
    activity AS (
        SELECT count(*) AS active,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY p.posts) AS median_posts,
               percentile_cont(0.9) WITHIN GROUP (ORDER BY p.posts) AS p90_posts
        FROM rollup.posts_per_ambassador(org, from_date, to_date) AS p
        JOIN enrolled AS e USING (ambassador_id)
    ),
    days AS (
        SELECT coalesce(sum(d.posts), 0)::bigint AS posts, coalesce(sum(d.shares), 0)::bigint AS shares,
               coalesce(sum(d.impressions), 0)::bigint AS impressions, coalesce(sum(d.members_reached), 0)::bigint AS members_reached,
               coalesce(sum(d.engagements), 0)::bigint AS engagements, coalesce(sum(d.potential_reach), 0) AS potential_reach,
               coalesce(sum(d.posts_without_count), 0)::bigint AS posts_without_count,
               coalesce(sum(d.impressions_value), 0) AS impressions_value, coalesce(sum(d.clicks_value), 0) AS clicks_value,
               coalesce(sum(d.engagement_value), 0) AS engagement_value, coalesce(sum(d.unpriced_posts), 0)::bigint AS unpriced_posts,
               coalesce(sum(d.visits), 0)::bigint AS visits, coalesce(sum(d.advocacy_visits), 0)::bigint AS advocacy_visits,
               coalesce(sum(d.careers_advocacy_visits), 0)::bigint AS careers_advocacy_visits,
               coalesce(sum(d.advocacy_leads), 0)::bigint AS advocacy_leads, coalesce(sum(d.advocacy_won), 0)::bigint AS advocacy_won,
               coalesce(sum(d.other_leads), 0)::bigint AS other_leads, coalesce(sum(d.other_won), 0)::bigint AS other_won,
               coalesce(sum(d.estimated_value), 0) AS estimated_value, coalesce(sum(d.won_value), 0) AS won_value,
               coalesce(sum(d.advocacy_applications), 0)::bigint AS advocacy_applications,
               coalesce(sum(d.advocacy_hired), 0)::bigint AS advocacy_hired,
               coalesce(sum(d.other_applications), 0)::bigint AS other_applications, coalesce(sum(d.other_hired), 0)::bigint AS other_hired
        FROM rollup.daily AS d
        WHERE d.organization_id = org AND d.day BETWEEN from_date AND to_date
    ),
    ssi AS (
        SELECT coalesce(sum(d.ssi_ambassadors_change), 0)::bigint AS ambassadors,
               round(sum(d.ssi_total_change) / nullif(sum(d.ssi_ambassadors_change), 0), 2) AS average,
               coalesce(sum(d.ssi_above_75_change), 0)::bigint AS above_75
        FROM rollup.daily AS d
        WHERE d.organization_id = org AND d.day <= to_date
    ),
    hires AS (
        SELECT round((percentile_cont(0.5) WITHIN GROUP (ORDER BY h.days) FILTER (WHERE h.advocacy))::numeric, 1) AS advocacy_days,
               round((percentile_cont(0.5) WITHIN GROUP (ORDER BY h.days) FILTER (WHERE NOT h.advocacy))::numeric, 1) AS other_days
        FROM rollup.daily AS d
        CROSS JOIN LATERAL (
            SELECT true AS advocacy, x AS days FROM unnest(d.advocacy_days_to_hire) AS x
            UNION ALL
            SELECT false, x FROM unnest(d.other_days_to_hire) AS x
        ) AS h
        WHERE d.organization_id = org AND d.day BETWEEN from_date AND to_date
    )
    SELECT ROW(a.active, a.median_posts, a.p90_posts, (SELECT count(*) FROM enrolled WHERE enrolled_at_end),
               d.posts, d.shares, content.seen, d.impressions, d.members_reached, d.engagements,
               d.potential_reach, d.posts_without_count,
               d.impressions_value, d.clicks_value, d.engagement_value, d.unpriced_posts, kpi.period_cost(org, from_date, to_date),
               members.first_seen, members.seen, s.ambassadors, s.average, s.above_75,
               d.visits, d.advocacy_visits, visitors.seen, d.careers_advocacy_visits,
               d.advocacy_leads, d.advocacy_won, d.other_leads, d.other_won, d.estimated_value, d.won_value,
               d.advocacy_applications, d.advocacy_hired, d.other_applications, d.other_hired, h.advocacy_days, h.other_days
           )::kpi.totals
    FROM activity AS a, days AS d, hires AS h, ssi AS s,
         rollup.distinct_entities(org, 'content', from_date, to_date) AS content,
         rollup.distinct_entities(org, 'member', from_date, to_date) AS members,
         rollup.distinct_entities(org, 'visitor', from_date, to_date) AS visitors
    $$;

-- Every KPI from a period's totals: values, the reason of a NULL, and the detail.
CREATE FUNCTION kpi.kpis_from(t kpi.totals) RETURNS TABLE (key text, value numeric, reason text, detail jsonb)
    LANGUAGE sql IMMUTABLE
    AS $$
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
         kpi.compare_rates(t.advocacy_won, t.advocacy_leads, t.other_won, t.other_leads)),
        ('advocacy_applications', t.advocacy_applications::numeric, NULL, jsonb_build_object('other_applications', t.other_applications)),
        ('advocacy_hire_conversion', round(t.advocacy_hired::numeric / nullif(t.advocacy_applications, 0), 6),
         'no advocacy application in the period',
         kpi.compare_rates(t.advocacy_hired, t.advocacy_applications, t.other_hired, t.other_applications)
             || jsonb_build_object('median_days_to_hire_advocacy', t.advocacy_days, 'median_days_to_hire_others', t.other_days))
    ) AS r (key, value, reason, detail)
    $$;

CREATE OR REPLACE FUNCTION kpi.summary(org uuid, from_date date, to_date date)
    RETURNS TABLE (key text, value numeric, reason text, detail jsonb)
    LANGUAGE sql STABLE
    AS $$ SELECT k.* FROM kpi.rollup_totals(org, from_date, to_date) AS t, kpi.kpis_from(t) AS k $$;

CREATE FUNCTION kpi.summary_raw(org uuid, from_date date, to_date date)
    RETURNS TABLE (key text, value numeric, reason text, detail jsonb)
    LANGUAGE sql STABLE
    AS $$ SELECT k.* FROM kpi.raw_totals(org, from_date, to_date) AS t, kpi.kpis_from(t) AS k $$;

-- ---------------------------------------------------------------------------------------------------------
-- The series read the rollups when no filter is given (the dashboards' first view); a filtered series reads
-- the raw facts through the functions of 0005 and 0009, renamed *_raw, which are also the reference.

ALTER FUNCTION kpi.activity_series(uuid, date, date, text, text, text, text, text, text) RENAME TO activity_series_raw;
ALTER FUNCTION kpi.traffic_series(uuid, date, date, text, text, text, text, text, text) RENAME TO traffic_series_raw;
ALTER FUNCTION kpi.pipeline_series(uuid, date, date, text) RENAME TO pipeline_series_raw;
ALTER FUNCTION kpi.value_series(uuid, date, date, text) RENAME TO value_series_raw;

-- The rollup days of [from, to] by bucket, every bucket present (an empty one has no day).
CREATE FUNCTION rollup.daily_buckets(org uuid, from_date date, to_date date, granularity text)
    RETURNS TABLE (bucket date, first_day date, last_day date, days rollup.daily[])
    LANGUAGE sql STABLE
    AS $$
        SELECT b.bucket, greatest(b.bucket, from_date), least((b.bucket + ('1 ' || granularity)::interval)::date - 1, to_date),
               coalesce((SELECT array_agg(d) FROM rollup.daily AS d
                         WHERE d.organization_id = org AND d.day BETWEEN greatest(b.bucket, from_date)
                           AND least((b.bucket + ('1 ' || granularity)::interval)::date - 1, to_date)), '{}')
        FROM kpi.buckets(from_date, to_date, granularity) AS b (bucket)
    $$;

-- Distinct entities of a kind per bucket (see rollup.distinct_entities).
CREATE FUNCTION rollup.distinct_entities_by_bucket(org uuid, entity_kind text, from_date date, to_date date, granularity text)
    RETURNS TABLE (bucket date, seen bigint, first_seen bigint)
    LANGUAGE sql STABLE
    AS $$
        SELECT b.bucket, e.seen, e.first_seen
        FROM rollup.daily_buckets(org, from_date, to_date, granularity) AS b,
             rollup.distinct_entities(org, entity_kind, b.first_day, b.last_day) AS e
    $$;

CREATE FUNCTION kpi.activity_series(
    org uuid, from_date date, to_date date, granularity text DEFAULT 'week', team_filter text DEFAULT NULL,
    department_filter text DEFAULT NULL, region_filter text DEFAULT NULL, network_filter text DEFAULT NULL,
    campaign_filter text DEFAULT NULL
)
    RETURNS TABLE (bucket date, posts bigint, active_ambassadors bigint, impressions bigint, engagements bigint,
                   engagement_rate numeric)
    LANGUAGE plpgsql STABLE
    AS $$
    BEGIN
        IF num_nonnulls(team_filter, department_filter, region_filter, network_filter, campaign_filter) > 0 THEN
            RETURN QUERY SELECT * FROM kpi.activity_series_raw(org, from_date, to_date, granularity, team_filter, department_filter,
                                                               region_filter, network_filter, campaign_filter);
            RETURN;
        END IF;
        RETURN QUERY
        SELECT b.bucket, coalesce(d.posts, 0), a.seen, coalesce(d.impressions, 0), coalesce(d.engagements, 0),
               round(d.engagements::numeric / nullif(d.impressions, 0), 6)
        FROM rollup.daily_buckets(org, from_date, to_date, granularity) AS b
        CROSS JOIN LATERAL (
            SELECT sum(x.posts)::bigint AS posts, sum(x.impressions)::bigint AS impressions, sum(x.engagements)::bigint AS engagements
            FROM unnest(b.days) AS x
        ) AS d
        CROSS JOIN LATERAL rollup.distinct_entities(org, 'poster', b.first_day, b.last_day) AS a
        ORDER BY b.bucket;
    END
    $$;

CREATE FUNCTION kpi.traffic_series(
    org uuid, from_date date, to_date date, granularity text DEFAULT 'week', team_filter text DEFAULT NULL,
    department_filter text DEFAULT NULL, region_filter text DEFAULT NULL, network_filter text DEFAULT NULL,
    campaign_filter text DEFAULT NULL
)
    RETURNS TABLE (bucket date, visits bigint, advocacy_visits bigint, advocacy_share numeric, advocacy_unique_visitors bigint,
                   attributed_visits bigint, careers_visits bigint, careers_advocacy_visits bigint)
    LANGUAGE plpgsql STABLE
    AS $$
    BEGIN
        IF num_nonnulls(team_filter, department_filter, region_filter, network_filter, campaign_filter) > 0 THEN
            RETURN QUERY SELECT * FROM kpi.traffic_series_raw(org, from_date, to_date, granularity, team_filter, department_filter,
                                                              region_filter, network_filter, campaign_filter);
            RETURN;
        END IF;
        RETURN QUERY
        SELECT b.bucket, coalesce(d.visits, 0), coalesce(d.advocacy_visits, 0),
               round(d.advocacy_visits::numeric / nullif(d.visits, 0), 6), v.seen, coalesce(d.attributed_visits, 0),
               coalesce(d.careers_visits, 0), coalesce(d.careers_advocacy_visits, 0)
        FROM rollup.daily_buckets(org, from_date, to_date, granularity) AS b
        CROSS JOIN LATERAL (
            SELECT sum(x.visits)::bigint AS visits, sum(x.advocacy_visits)::bigint AS advocacy_visits,
                   sum(x.attributed_visits)::bigint AS attributed_visits, sum(x.careers_visits)::bigint AS careers_visits,
                   sum(x.careers_advocacy_visits)::bigint AS careers_advocacy_visits
            FROM unnest(b.days) AS x
        ) AS d
        CROSS JOIN LATERAL rollup.distinct_entities(org, 'visitor', b.first_day, b.last_day) AS v
        ORDER BY b.bucket;
    END
    $$;

CREATE FUNCTION kpi.pipeline_series(org uuid, from_date date, to_date date, granularity text DEFAULT 'week')
    RETURNS TABLE (bucket date, leads bigint, advocacy_leads bigint, advocacy_leads_won bigint, other_leads_won bigint,
                   applications bigint, advocacy_applications bigint, advocacy_hires bigint, other_hires bigint)
    LANGUAGE sql STABLE
    AS $$
        SELECT b.bucket, coalesce(d.advocacy_leads + d.other_leads, 0), coalesce(d.advocacy_leads, 0), coalesce(d.advocacy_won, 0),
               coalesce(d.other_won, 0), coalesce(d.advocacy_applications + d.other_applications, 0),
               coalesce(d.advocacy_applications, 0), coalesce(d.advocacy_hired, 0), coalesce(d.other_hired, 0)
        FROM rollup.daily_buckets(org, from_date, to_date, granularity) AS b
        CROSS JOIN LATERAL (
            SELECT sum(x.advocacy_leads)::bigint AS advocacy_leads, sum(x.other_leads)::bigint AS other_leads,
                   sum(x.advocacy_won)::bigint AS advocacy_won, sum(x.other_won)::bigint AS other_won,
                   sum(x.advocacy_applications)::bigint AS advocacy_applications,
                   sum(x.other_applications)::bigint AS other_applications, sum(x.advocacy_hired)::bigint AS advocacy_hired,
                   sum(x.other_hired)::bigint AS other_hired
            FROM unnest(b.days) AS x
        ) AS d
        ORDER BY b.bucket
    $$;

CREATE FUNCTION kpi.value_series(org uuid, from_date date, to_date date, granularity text DEFAULT 'week')
    RETURNS TABLE (bucket date, impressions bigint, members_reached bigint, new_audience_members bigint, emv numeric,
                   emv_impressions numeric, emv_clicks numeric, emv_engagements numeric, programme_cost numeric,
                   advocacy_won_value numeric)
    LANGUAGE sql STABLE
    AS $$
        SELECT b.bucket, coalesce(d.impressions, 0), coalesce(d.members_reached, 0), m.first_seen,
               round(coalesce(d.impressions_value + d.clicks_value + d.engagement_value, 0), 2),
               round(coalesce(d.impressions_value, 0), 2), round(coalesce(d.clicks_value, 0), 2), round(coalesce(d.engagement_value, 0), 2),
               kpi.period_cost(org, b.first_day, b.last_day), coalesce(d.won_value, 0)
        FROM rollup.daily_buckets(org, from_date, to_date, granularity) AS b
        CROSS JOIN LATERAL (
            SELECT sum(x.impressions)::bigint AS impressions, sum(x.members_reached)::bigint AS members_reached,
                   sum(x.impressions_value) AS impressions_value, sum(x.clicks_value) AS clicks_value,
                   sum(x.engagement_value) AS engagement_value, sum(x.won_value) AS won_value
            FROM unnest(b.days) AS x
        ) AS d
        CROSS JOIN LATERAL rollup.distinct_entities(org, 'member', b.first_day, b.last_day) AS m
        ORDER BY b.bucket
    $$;

-- SSI per bucket: each ambassador's latest snapshot at the bucket's last day (within the period), as
-- kpi.ssi_summary computes it at that date, from the running sum of the days' changes.
CREATE FUNCTION kpi.ssi_series(org uuid, from_date date, to_date date, granularity text DEFAULT 'week')
    RETURNS TABLE (bucket date, as_of date, ambassadors bigint, average_total numeric, share_above_75 numeric)
    LANGUAGE sql STABLE
    AS $$
        WITH before AS (
            SELECT coalesce(sum(d.ssi_ambassadors_change), 0) AS ambassadors, coalesce(sum(d.ssi_total_change), 0) AS total,
                   coalesce(sum(d.ssi_above_75_change), 0) AS above_75
            FROM rollup.daily AS d
            WHERE d.organization_id = org AND d.day < from_date
        ),
        running AS (
            SELECT b.bucket, b.last_day,
                   sum(coalesce(c.ambassadors, 0)) OVER (ORDER BY b.bucket) AS ambassadors,
                   sum(coalesce(c.total, 0)) OVER (ORDER BY b.bucket) AS total,
                   sum(coalesce(c.above_75, 0)) OVER (ORDER BY b.bucket) AS above_75
            FROM rollup.daily_buckets(org, from_date, to_date, granularity) AS b
            CROSS JOIN LATERAL (
                SELECT sum(x.ssi_ambassadors_change) AS ambassadors, sum(x.ssi_total_change) AS total,
                       sum(x.ssi_above_75_change) AS above_75
                FROM unnest(b.days) AS x
            ) AS c
        )
        SELECT r.bucket, r.last_day, (p.ambassadors + r.ambassadors)::bigint,
               round((p.total + r.total) / nullif(p.ambassadors + r.ambassadors, 0), 2),
               round((p.above_75 + r.above_75) / nullif(p.ambassadors + r.ambassadors, 0), 6)
        FROM running AS r, before AS p
        ORDER BY r.bucket
    $$;

-- ---------------------------------------------------------------------------------------------------------
-- Maintenance.

-- Recomputes one day of one organisation from the raw facts. Returns the posters whose counts changed (their
-- cumulative arrays are rebuilt once, by rollup.maintain, after all its days).
-- One day is a few thousand facts reached through indexes; estimated from a time zone the planner cannot see,
-- it would hash whole tables. Hash joins stay for the full join, without JIT (compiling costs more than the
-- query). Plans are made for each day's values: a generic plan cannot see how few rows a day has.
CREATE FUNCTION rollup.recompute_day(org uuid, d date) RETURNS bytea[]
    LANGUAGE plpgsql
    SET enable_hashjoin = off
    SET enable_mergejoin = off
    SET jit = off
    SET plan_cache_mode = force_custom_plan
    AS $$
    DECLARE
        changed_posters bytea[];
    BEGIN
        DELETE FROM rollup.daily WHERE organization_id = org AND day = d;
        INSERT INTO rollup.daily
        SELECT org, d, p.posts, p.shares, p.impressions, p.members_reached, p.engagements, p.impressions_value, p.clicks_value,
               p.engagement_value, p.unpriced_posts, p.potential_reach, p.posts_without_count,
               v.visits, v.advocacy_visits, v.attributed_visits, v.careers_visits, v.careers_advocacy_visits,
               l.advocacy_leads, l.advocacy_won, l.other_leads, l.other_won, l.estimated_value, l.won_value,
               a.advocacy_applications, a.advocacy_hired, a.other_applications, a.other_hired, a.advocacy_days, a.other_days,
               s.ambassadors, s.total, s.above_75
        FROM (
            SELECT count(*) AS posts, count(p.content_id) AS shares, coalesce(sum(p.impressions), 0) AS impressions,
                   coalesce(sum(p.members_reached), 0) AS members_reached,
                   coalesce(sum(p.reactions + p.comments + p.reshares + p.clicks), 0) AS engagements,
                   coalesce(sum(p.impressions_value), 0) AS impressions_value, coalesce(sum(p.clicks_value), 0) AS clicks_value,
                   coalesce(sum(p.engagement_value), 0) AS engagement_value, count(*) FILTER (WHERE NOT p.priced) AS unpriced_posts,
                   coalesce(sum(n.connection_count), 0) AS potential_reach,
                   count(*) FILTER (WHERE n.connection_count IS NULL) AS posts_without_count
            FROM kpi.post_values(org, d, d) AS p
            LEFT JOIN core.ambassador_networks AS n
                   ON n.organization_id = org AND n.ambassador_id = p.ambassador_id AND n.network::text = p.network
        ) AS p,
        (
            SELECT count(*) AS visits, count(*) FILTER (WHERE v.is_advocacy) AS advocacy_visits,
                   count(*) FILTER (WHERE v.ambassador_id IS NOT NULL) AS attributed_visits,
                   count(*) FILTER (WHERE v.careers) AS careers_visits,
                   count(*) FILTER (WHERE v.careers AND v.is_advocacy) AS careers_advocacy_visits
            FROM kpi.attributed_visits(org, d, d) AS v
        ) AS v,
        (
            SELECT count(*) FILTER (WHERE advocacy) AS advocacy_leads, count(*) FILTER (WHERE advocacy AND won) AS advocacy_won,
                   count(*) FILTER (WHERE NOT advocacy) AS other_leads, count(*) FILTER (WHERE NOT advocacy AND won) AS other_won,
                   coalesce(sum(estimated_value) FILTER (WHERE advocacy), 0) AS estimated_value,
                   coalesce(sum(won_value) FILTER (WHERE advocacy), 0) AS won_value
            FROM kpi.period_leads(org, d, d)
        ) AS l,
        (
            SELECT count(*) FILTER (WHERE advocacy) AS advocacy_applications, count(*) FILTER (WHERE advocacy AND hired) AS advocacy_hired,
                   count(*) FILTER (WHERE NOT advocacy) AS other_applications, count(*) FILTER (WHERE NOT advocacy AND hired) AS other_hired,
                   coalesce(array_agg(days_to_hire) FILTER (WHERE advocacy AND hired), '{}') AS advocacy_days,
                   coalesce(array_agg(days_to_hire) FILTER (WHERE NOT advocacy AND hired), '{}') AS other_days
            FROM kpi.period_applications(org, d, d)
        ) AS a,
        (
            SELECT count(*) FILTER (WHERE p.total_score IS NULL) AS ambassadors,
                   coalesce(sum(s.total_score - coalesce(p.total_score, 0)), 0) AS total,
                   coalesce(sum((s.total_score > 75)::integer - coalesce((p.total_score > 75)::integer, 0)), 0) AS above_75
            FROM fact.ssi_snapshots AS s
            LEFT JOIN LATERAL (
                SELECT x.total_score FROM fact.ssi_snapshots AS x
                WHERE x.organization_id = org AND x.ambassador_id = s.ambassador_id AND x.snapshot_date < d
                ORDER BY x.snapshot_date DESC LIMIT 1
            ) AS p ON true
            WHERE s.organization_id = org AND s.snapshot_date = d
        ) AS s;

        -- Who was seen that day, against what the rollup knew; apply the difference, and queue the next day
        -- of every entity that appeared or disappeared, whose gap changes.
        WITH bounds AS (
            SELECT (d::timestamp AT TIME ZONE o.time_zone) AS starts_at, ((d + 1)::timestamp AT TIME ZONE o.time_zone) AS ends_at
            FROM core.organizations AS o WHERE o.organization_id = org
        ),
        fresh AS (
            SELECT 'poster' AS kind, convert_to(p.ambassador_id, 'UTF8') AS entity, count(*)::integer AS facts
            FROM bounds AS b JOIN fact.posts AS p ON p.organization_id = org AND p.posted_at >= b.starts_at AND p.posted_at < b.ends_at
            GROUP BY p.ambassador_id
            UNION ALL
            SELECT 'content', convert_to(p.content_id, 'UTF8'), count(*)::integer
            FROM bounds AS b JOIN fact.posts AS p ON p.organization_id = org AND p.posted_at >= b.starts_at AND p.posted_at < b.ends_at
            WHERE p.content_id IS NOT NULL
            GROUP BY p.content_id
            UNION ALL
            SELECT 'visitor', v.visitor_hash, count(*)::integer
            FROM bounds AS b JOIN fact.web_visits AS v ON v.organization_id = org AND v.occurred_at >= b.starts_at AND v.occurred_at < b.ends_at
            WHERE v.is_advocacy
            GROUP BY v.visitor_hash
            UNION ALL
            SELECT 'member', t.member_hash, count(*)::integer
            FROM bounds AS b JOIN fact.audience_touches AS t ON t.organization_id = org AND t.occurred_at >= b.starts_at AND t.occurred_at < b.ends_at
            GROUP BY t.member_hash
        ),
        known AS (
            SELECT e.kind, e.entity, e.facts FROM rollup.entity_days AS e WHERE e.organization_id = org AND e.day = d
        ),
        changes AS (
            SELECT coalesce(f.kind, k.kind) AS kind, coalesce(f.entity, k.entity) AS entity, f.facts AS new_facts, k.facts AS old_facts
            FROM fresh AS f
            FULL JOIN known AS k ON k.kind = f.kind AND k.entity = f.entity
            WHERE f.facts IS DISTINCT FROM k.facts
        ),
        removed AS (
            DELETE FROM rollup.entity_days AS e
            USING changes AS c
            WHERE c.new_facts IS NULL AND e.organization_id = org AND e.kind = c.kind AND e.entity = c.entity AND e.day = d
        ),
        written AS (
            INSERT INTO rollup.entity_days (organization_id, kind, entity, day, facts)
            SELECT org, c.kind, c.entity, d, c.new_facts FROM changes AS c WHERE c.new_facts IS NOT NULL
            ON CONFLICT (organization_id, kind, entity, day) DO UPDATE SET facts = excluded.facts
        ),
        next_days AS (
            INSERT INTO rollup.dirty_days (organization_id, day)
            SELECT DISTINCT org, n.day
            FROM changes AS c
            CROSS JOIN LATERAL (
                -- The next row of the primary key: a row comparison only that index serves (with plain
                -- conditions the planner may walk entity_days_by_day and filter, for every entity).
                SELECT e.kind, e.entity, e.day FROM rollup.entity_days AS e
                WHERE (e.organization_id, e.kind, e.entity, e.day) > (org, c.kind, c.entity, d)
                ORDER BY e.organization_id, e.kind, e.entity, e.day LIMIT 1
            ) AS n
            WHERE (c.new_facts IS NULL OR c.old_facts IS NULL) AND n.kind = c.kind AND n.entity = c.entity
        )
        SELECT coalesce(array_agg(c.entity) FILTER (WHERE c.kind = 'poster'), '{}') INTO changed_posters FROM changes AS c;

        DELETE FROM rollup.entities_seen WHERE organization_id = org AND day = d;
        INSERT INTO rollup.entities_seen (organization_id, kind, day, first_time, seen_again)
        WITH gaps AS (
            SELECT e.kind, CASE WHEN p.kind = e.kind AND p.entity = e.entity THEN d - p.day END AS gap
            FROM rollup.entity_days AS e
            LEFT JOIN LATERAL (
                -- The previous row of the primary key (see next_days above).
                SELECT x.kind, x.entity, x.day FROM rollup.entity_days AS x
                WHERE (x.organization_id, x.kind, x.entity, x.day) < (org, e.kind, e.entity, d)
                ORDER BY x.organization_id DESC, x.kind DESC, x.entity DESC, x.day DESC LIMIT 1
            ) AS p ON true
            WHERE e.organization_id = org AND e.day = d
        ),
        histogram AS (
            SELECT g.kind, g.gap, count(*) AS entities FROM gaps AS g WHERE g.gap IS NOT NULL GROUP BY g.kind, g.gap
        ),
        kinds AS (
            SELECT g.kind, count(*) FILTER (WHERE g.gap IS NULL) AS first_time, coalesce(max(g.gap), 0) AS longest
            FROM gaps AS g GROUP BY g.kind
        )
        SELECT org, k.kind, d, k.first_time,
               coalesce((
                   SELECT array_agg(r.at_least ORDER BY r.gap)
                   FROM (
                       SELECT s.gap, sum(coalesce(h.entities, 0)) OVER (ORDER BY s.gap DESC) AS at_least
                       FROM generate_series(1, k.longest) AS s (gap)
                       LEFT JOIN histogram AS h ON h.kind = k.kind AND h.gap = s.gap
                   ) AS r
               ), '{}')
        FROM kinds AS k;

        RETURN changed_posters;
    END
    $$;

-- Rebuilds the cumulative post counts of some ambassadors from their days, in one pass: each ambassador's
-- span of days, its posting days joined by hash, a running sum.
CREATE FUNCTION rollup.rebuild_ambassador_posts(org uuid, posters bytea[]) RETURNS void
    LANGUAGE sql
    AS $$
        DELETE FROM rollup.ambassador_posts
        WHERE organization_id = org AND ambassador_id IN (SELECT convert_from(p, 'UTF8') FROM unnest(posters) AS p);
        INSERT INTO rollup.ambassador_posts (organization_id, ambassador_id, first_day, cumulative)
        WITH posting AS (
            SELECT e.entity, e.day, e.facts
            FROM rollup.entity_days AS e
            WHERE e.organization_id = org AND e.kind = 'poster' AND e.entity = ANY (posters)
        ),
        spans AS (
            SELECT p.entity, min(p.day) AS first_day, max(p.day) AS last_day FROM posting AS p GROUP BY p.entity
        ),
        running AS (
            SELECT s.entity, s.first_day, g.day::date AS day,
                   sum(coalesce(p.facts, 0)) OVER (PARTITION BY s.entity ORDER BY g.day)::integer AS total
            FROM spans AS s
            CROSS JOIN generate_series(s.first_day, s.last_day, interval '1 day') AS g (day)
            LEFT JOIN posting AS p ON p.entity = s.entity AND p.day = g.day::date
        )
        SELECT org, convert_from(r.entity, 'UTF8'), r.first_day, array_agg(r.total ORDER BY r.day)
        FROM running AS r
        GROUP BY r.entity, r.first_day
    $$;

-- Recomputes the queued days of an organisation, oldest first: at most max_days of them, only those in
-- [from, to] when given (NULL: any). With wait, it waits for another maintainer of the organisation to finish
-- (a reader that needs the days now); without, it returns -1 at once when one is at work (a background
-- worker: the other one does the job). Returns how many days it recomputed.
CREATE FUNCTION rollup.maintain(org uuid, from_date date DEFAULT NULL, to_date date DEFAULT NULL, max_days integer DEFAULT 8,
                                wait boolean DEFAULT false) RETURNS integer
    LANGUAGE plpgsql
    AS $$
    DECLARE
        lock_key CONSTANT bigint := hashtextextended('rollup:' || org::text, 0);
        batch date[];
        d date;
        posters bytea[] := '{}';
        done integer := 0;
    BEGIN
        IF NOT EXISTS (SELECT FROM rollup.dirty_days AS q WHERE q.organization_id = org
                       AND q.day BETWEEN coalesce(from_date, '-infinity') AND coalesce(to_date, 'infinity')) THEN
            RETURN 0;
        END IF;
        IF wait THEN
            PERFORM pg_advisory_xact_lock(lock_key);
        ELSIF NOT pg_try_advisory_xact_lock(lock_key) THEN
            RETURN -1;
        END IF;
        LOOP
            SELECT array_agg(q.day ORDER BY q.day) INTO batch
            FROM (
                SELECT DISTINCT q.day FROM rollup.dirty_days AS q
                WHERE q.organization_id = org AND q.day BETWEEN coalesce(from_date, '-infinity') AND coalesce(to_date, 'infinity')
                ORDER BY q.day
                LIMIT greatest(max_days - done, 0)
            ) AS q;
            EXIT WHEN batch IS NULL;
            DELETE FROM rollup.dirty_days WHERE organization_id = org AND day = ANY (batch);
            FOREACH d IN ARRAY batch LOOP
                posters := posters || rollup.recompute_day(org, d);
            END LOOP;
            done := done + cardinality(batch);
        END LOOP;
        IF cardinality(posters) > 0 THEN
            PERFORM rollup.rebuild_ambassador_posts(org, ARRAY(SELECT DISTINCT p FROM unnest(posters) AS p));
        END IF;
        RETURN done;
    END
    $$;

-- Forgets an organisation's rollups and queues every day that has facts: after a change of time zone or
-- currency, or to rebuild them by hand (SELECT rollup.rebuild(organization_id)).
CREATE FUNCTION rollup.rebuild(org uuid) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
    DECLARE
        zone text;
        first_day date;
        last_day date;
        queued bigint;
    BEGIN
        PERFORM pg_advisory_xact_lock(hashtextextended('rollup:' || org::text, 0));
        DELETE FROM rollup.daily WHERE organization_id = org;
        DELETE FROM rollup.entity_days WHERE organization_id = org;
        DELETE FROM rollup.entities_seen WHERE organization_id = org;
        DELETE FROM rollup.ambassador_posts WHERE organization_id = org;
        DELETE FROM rollup.dirty_days WHERE organization_id = org;
        SELECT o.time_zone INTO zone FROM core.organizations AS o WHERE o.organization_id = org;
        SELECT (min(t) AT TIME ZONE zone)::date, (max(t) AT TIME ZONE zone)::date INTO first_day, last_day
        FROM (
            SELECT min(posted_at) AS t FROM fact.posts WHERE organization_id = org UNION ALL
            SELECT max(posted_at) FROM fact.posts WHERE organization_id = org UNION ALL
            SELECT min(occurred_at) FROM fact.web_visits WHERE organization_id = org UNION ALL
            SELECT max(occurred_at) FROM fact.web_visits WHERE organization_id = org UNION ALL
            SELECT min(occurred_at) FROM fact.audience_touches WHERE organization_id = org UNION ALL
            SELECT max(occurred_at) FROM fact.audience_touches WHERE organization_id = org UNION ALL
            SELECT min(created_at) FROM fact.leads WHERE organization_id = org UNION ALL
            SELECT max(created_at) FROM fact.leads WHERE organization_id = org UNION ALL
            SELECT min(applied_at) FROM fact.applications WHERE organization_id = org UNION ALL
            SELECT max(applied_at) FROM fact.applications WHERE organization_id = org UNION ALL
            -- SSI snapshots are dated, not timed: noon keeps the date in any time zone.
            SELECT min(snapshot_date) + time '12:00' AT TIME ZONE zone FROM fact.ssi_snapshots WHERE organization_id = org UNION ALL
            SELECT max(snapshot_date) + time '12:00' AT TIME ZONE zone FROM fact.ssi_snapshots WHERE organization_id = org
        ) AS bounds;
        INSERT INTO rollup.dirty_days (organization_id, day)
        SELECT org, g::date FROM generate_series(first_day, last_day, interval '1 day') AS g;
        GET DIAGNOSTICS queued = ROW_COUNT;
        RETURN queued;
    END
    $$;

-- The organisations with queued days, for the background worker, which reads them before it acts for any
-- organisation: ids only, across tenants.
CREATE FUNCTION rollup.organizations_to_maintain() RETURNS SETOF uuid
    LANGUAGE sql STABLE
    SECURITY DEFINER
    SET search_path = pg_catalog, rollup
    AS $$ SELECT DISTINCT q.organization_id FROM rollup.dirty_days AS q $$;

-- ---------------------------------------------------------------------------------------------------------
-- Queueing: statement triggers with transition tables, so a batch of a thousand facts queues its few days in
-- one statement. TG_ARGV[0] is a query giving (organization_id, day) from the transition table named $rows.

CREATE FUNCTION rollup.queue_changed_days() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            EXECUTE format('INSERT INTO rollup.dirty_days (organization_id, day) SELECT DISTINCT d.* FROM (%s) AS d (org, day) WHERE d.day IS NOT NULL',
                           replace(TG_ARGV[0], '$rows', 'new_rows'));
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            EXECUTE format('INSERT INTO rollup.dirty_days (organization_id, day) SELECT DISTINCT d.* FROM (%s) AS d (org, day) WHERE d.day IS NOT NULL',
                           replace(TG_ARGV[0], '$rows', 'old_rows'));
        END IF;
        RETURN NULL;
    END
    $$;

-- Creates the three statement triggers (insert, update, delete) of a table; day_query reads $rows.
CREATE FUNCTION rollup.watch(watched regclass, day_query text) RETURNS void
    LANGUAGE plpgsql
    AS $$
    BEGIN
        EXECUTE format('CREATE TRIGGER queue_inserted_days AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION rollup.queue_changed_days(%L)', watched, day_query);
        EXECUTE format('CREATE TRIGGER queue_updated_days AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION rollup.queue_changed_days(%L)', watched, day_query);
        EXECUTE format('CREATE TRIGGER queue_deleted_days AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION rollup.queue_changed_days(%L)', watched, day_query);
    END
    $$;

-- A post's day; and the days of the visits carrying its token, whose attribution it changes.
SELECT rollup.watch('fact.posts', $q$
    SELECT r.organization_id, (r.posted_at AT TIME ZONE o.time_zone)::date
    FROM $rows AS r JOIN core.organizations AS o USING (organization_id)
    UNION ALL
    SELECT v.organization_id, (v.occurred_at AT TIME ZONE o.time_zone)::date
    FROM $rows AS r
    JOIN fact.web_visits AS v ON v.organization_id = r.organization_id AND v.is_advocacy AND v.utm_content = r.utm_token
    JOIN core.organizations AS o ON o.organization_id = r.organization_id
$q$);
SELECT rollup.watch('ingest.tracked_links', $q$
    SELECT v.organization_id, (v.occurred_at AT TIME ZONE o.time_zone)::date
    FROM $rows AS r
    JOIN fact.web_visits AS v ON v.organization_id = r.organization_id AND v.is_advocacy AND v.utm_content = r.token
    JOIN core.organizations AS o ON o.organization_id = r.organization_id
$q$);
SELECT rollup.watch('fact.post_metrics', $q$
    SELECT p.organization_id, (p.posted_at AT TIME ZONE o.time_zone)::date
    FROM $rows AS r JOIN fact.posts AS p USING (organization_id, post_id) JOIN core.organizations AS o USING (organization_id)
$q$);
SELECT rollup.watch('fact.audience_touches', $q$
    SELECT r.organization_id, (r.occurred_at AT TIME ZONE o.time_zone)::date FROM $rows AS r JOIN core.organizations AS o USING (organization_id)
$q$);
SELECT rollup.watch('fact.web_visits', $q$
    SELECT r.organization_id, (r.occurred_at AT TIME ZONE o.time_zone)::date FROM $rows AS r JOIN core.organizations AS o USING (organization_id)
$q$);
SELECT rollup.watch('fact.leads', $q$
    SELECT r.organization_id, (r.created_at AT TIME ZONE o.time_zone)::date FROM $rows AS r JOIN core.organizations AS o USING (organization_id)
$q$);
SELECT rollup.watch('fact.lead_stage_changes', $q$
    SELECT l.organization_id, (l.created_at AT TIME ZONE o.time_zone)::date
    FROM $rows AS r JOIN fact.leads AS l USING (organization_id, lead_id) JOIN core.organizations AS o USING (organization_id)
$q$);
SELECT rollup.watch('fact.applications', $q$
    SELECT r.organization_id, (r.applied_at AT TIME ZONE o.time_zone)::date FROM $rows AS r JOIN core.organizations AS o USING (organization_id)
$q$);
SELECT rollup.watch('fact.application_stage_changes', $q$
    SELECT a.organization_id, (a.applied_at AT TIME ZONE o.time_zone)::date
    FROM $rows AS r JOIN fact.applications AS a USING (organization_id, application_id) JOIN core.organizations AS o USING (organization_id)
$q$);
-- A snapshot changes its day and the next snapshot day of its ambassador (whose change is relative to it).
SELECT rollup.watch('fact.ssi_snapshots', $q$
    SELECT r.organization_id, r.snapshot_date FROM $rows AS r
    UNION ALL
    SELECT r.organization_id, n.snapshot_date
    FROM $rows AS r
    CROSS JOIN LATERAL (
        SELECT s.snapshot_date FROM fact.ssi_snapshots AS s
        WHERE s.organization_id = r.organization_id AND s.ambassador_id = r.ambassador_id AND s.snapshot_date > r.snapshot_date
        ORDER BY s.snapshot_date LIMIT 1
    ) AS n
$q$);
-- Connection counts value the potential reach of every post of the ambassador.
SELECT rollup.watch('core.ambassador_networks', $q$
    SELECT e.organization_id, e.day
    FROM $rows AS r
    JOIN rollup.entity_days AS e
      ON e.organization_id = r.organization_id AND e.kind = 'poster' AND e.entity = convert_to(r.ambassador_id, 'UTF8')
$q$);
-- A rate card values the posts from its date on.
SELECT rollup.watch('core.emv_rate_cards', $q$
    SELECT d.organization_id, d.day
    FROM (SELECT organization_id, min(effective_from) AS effective_from FROM $rows GROUP BY organization_id) AS r
    JOIN rollup.daily AS d ON d.organization_id = r.organization_id AND d.day >= r.effective_from AND d.posts > 0
$q$);

-- Days are calendar days in the organisation's time zone, values in its currency: changing either
-- rebuilds its rollups.
CREATE FUNCTION rollup.rebuild_changed_organization() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
        PERFORM rollup.rebuild(NEW.organization_id);
        RETURN NULL;
    END
    $$;

CREATE TRIGGER rebuild_rollups AFTER UPDATE OF time_zone, currency ON core.organizations
    FOR EACH ROW WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone OR OLD.currency IS DISTINCT FROM NEW.currency)
    EXECUTE FUNCTION rollup.rebuild_changed_organization();

-- The facts already stored: queue their days.
SELECT rollup.rebuild(o.organization_id) FROM core.organizations AS o;

CREATE OR REPLACE FUNCTION core.delete_organization(organization uuid) RETURNS void
    LANGUAGE plpgsql
    AS $$
    DECLARE
        keyed regclass;
    BEGIN
        FOR keyed IN
            SELECT a.attrelid::regclass
            FROM pg_catalog.pg_attribute AS a
            JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid AND c.relkind = 'r'
            JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
            WHERE a.attname = 'organization_id' AND NOT a.attisdropped
              AND n.nspname IN ('fact', 'ingest', 'rollup') AND c.relname <> 'rejected_items'
        LOOP
            EXECUTE format('DELETE FROM %s WHERE organization_id = $1', keyed) USING organization;
        END LOOP;
        -- The rest goes by ON DELETE CASCADE.
        DELETE FROM core.organizations WHERE organization_id = organization;
    END
    $$;

-- ---------------------------------------------------------------------------------------------------------
-- Tenancy and rights, as in 0007.

DO $$
DECLARE
    keyed regclass;
BEGIN
    FOR keyed IN SELECT c.oid::regclass FROM pg_catalog.pg_class AS c
                 WHERE c.relnamespace = 'rollup'::regnamespace AND c.relkind = 'r'
    LOOP
        EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', keyed);
        EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', keyed);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %s USING (organization_id = core.current_organization()) '
            'WITH CHECK (organization_id = core.current_organization())', keyed);
    END LOOP;
END
$$;

GRANT USAGE ON SCHEMA rollup TO advocacy_service, advocacy_reader;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA rollup TO advocacy_service;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA rollup TO advocacy_service;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA rollup TO advocacy_service;
GRANT SELECT ON ALL TABLES IN SCHEMA rollup TO advocacy_reader;
GRANT EXECUTE ON FUNCTION rollup.distinct_entities(uuid, text, date, date), rollup.posts_per_ambassador(uuid, date, date)
    TO advocacy_reader;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA kpi TO advocacy_service, advocacy_reader;
