-- The baseline: every table, type, domain, index and role of the service, and the reference data of the KPI
-- catalog. Functions, views, triggers, policies and grants are in SQL/definitions, applied after this.
--
-- Layers, one schema each:
--   core    organisations and what they configure or describe (ambassadors, content, costs, rate cards, keys)
--   fact    facts as they arrive, one row per fact, never aggregated
--   ingest  the ingestion ledger: every accepted event id, every refused item with its raw text
--   kpi     the KPI catalog and the SSI bands (the KPI functions are definitions)
--   rollup  per-day aggregates of the facts and the queue of days to recompute
--
-- Rules that hold for every table:
--   * organization_id leads every key: tenant isolation and a later distribution by organisation.
--   * timestamps are timestamptz; calendar days are date.
--   * money is numeric with its currency, never a float.
--   * facts refer to each other by external id without foreign keys, because sources deliver out of
--     order (metrics before their post, a stage change before its lead); joins resolve them when read.
--   * the high-volume tables (fact.*, ingest.accepted_events) have no foreign key to core.organizations
--     either: the service sets organization_id from the caller's credentials, never from input, and a
--     per-row key check (a FOR KEY SHARE lock on one hot row) would halve ingestion throughput.
--     core.delete_organization() removes an organisation with all its rows.
CREATE SCHEMA core;

CREATE SCHEMA fact;

CREATE SCHEMA ingest;

-- ---------------------------------------------------------------------------------------------------------
-- Types shared by the tables.
CREATE TYPE core.network AS ENUM ('linkedin', 'x', 'facebook', 'instagram', 'xing', 'other');

-- Where a lead or an application came from; 'employee_advocacy' is the programme.
CREATE TYPE core.channel AS ENUM ('employee_advocacy', 'paid', 'organic', 'email', 'event', 'referral', 'other');

CREATE TYPE core.lead_stage AS ENUM ('qualified', 'won', 'lost');

CREATE TYPE core.application_stage AS ENUM ('screened', 'interviewed', 'offered', 'hired', 'rejected');

CREATE TYPE core.cost_category AS ENUM ('licence', 'rewards', 'time');

CREATE TYPE core.site_section AS ENUM ('main', 'careers');

-- An identifier chosen by a source system: printable, 1 to 200 characters. Compared byte by byte
-- (COLLATE "C"): identifiers have no linguistic order, and it makes every key comparison a memcmp.
CREATE DOMAIN core.external_id AS text COLLATE "C"
    CHECK (length(VALUE) BETWEEN 1 AND 200 AND VALUE !~ '[[:cntrl:]]');

-- ISO 4217 code.
CREATE DOMAIN core.currency_code AS text
    CHECK (VALUE ~ '^[A-Z]{3}$');

-- An amount of money, to the cent, never negative (refunds are not facts we ingest).
CREATE DOMAIN core.money AS numeric(18, 2)
    CHECK (VALUE >= 0);

-- A cumulative counter reported by a network.
CREATE DOMAIN core.counter AS bigint
    CHECK (VALUE >= 0);

-- A person we must not identify: an audience member or a web visitor, stored only as a 32-byte keyed hash.
CREATE DOMAIN core.pseudonym AS bytea
    CHECK (octet_length(VALUE) = 32);

-- An SSI pillar: 0 to 25 with two decimals.
CREATE DOMAIN core.ssi_pillar AS numeric(4, 2)
    CHECK (VALUE BETWEEN 0 AND 25);

-- A score or a percentage: 0 to 100 with two decimals.
CREATE DOMAIN core.percent AS numeric(5, 2)
    CHECK (VALUE BETWEEN 0 AND 100);

-- The two functions the tables' constraints and defaults use: part of the tables, so changed only by a
-- versioned migration (the rows they checked or filled would not be checked again).
-- Whether a name is a time zone PostgreSQL knows (an organisation's periods are days in it).
CREATE FUNCTION core.is_time_zone(name text) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$ SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_timezone_names WHERE pg_timezone_names.name = $1) $$;

-- The key that turns an audience member's or a visitor's identifier into the stored pseudonym:
-- sha256(key || identifier). One key per organisation, so two organisations cannot correlate people.
CREATE FUNCTION core.random_key() RETURNS bytea
    LANGUAGE sql VOLATILE
    AS $$ SELECT decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex') $$;

-- ---------------------------------------------------------------------------------------------------------
-- core: organisations and what describes them.
CREATE TABLE core.organizations (
    organization_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug            text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- KPIs in money are reported in this currency; periods are calendar days in this time zone.
    currency        core.currency_code NOT NULL DEFAULT 'EUR',
    time_zone       text NOT NULL DEFAULT 'UTC' CHECK (core.is_time_zone(time_zone)),
    -- A web visit is careers-portal traffic when its landing URL has this host or starts with this path.
    careers_host    text CHECK (careers_host ~ '^[a-z0-9.-]+$'),
    careers_path    text NOT NULL DEFAULT '/careers' CHECK (careers_path ~ '^/'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    pseudonym_key   bytea NOT NULL DEFAULT core.random_key() CHECK (octet_length(pseudonym_key) = 32)
);

CREATE TABLE core.ambassadors (
    organization_id       uuid NOT NULL REFERENCES core.organizations ON DELETE CASCADE,
    ambassador_id         core.external_id NOT NULL,
    -- Optional display field; erasure sets it to NULL without touching any aggregate.
    display_name          text CHECK (length(display_name) <= 200),
    team                  text CHECK (length(team) BETWEEN 1 AND 200),
    department            text CHECK (length(department) BETWEEN 1 AND 200),
    region                text CHECK (length(region) BETWEEN 1 AND 200),
    -- NULL until the enrolment fact arrives: an update may come first.
    enrolled_at           timestamptz,
    left_at               timestamptz,
    -- occurred_at of the fact that last set team, department, region or name: a newer one wins.
    attributes_as_of      timestamptz NOT NULL,
    erased_at             timestamptz,
    PRIMARY KEY (organization_id, ambassador_id),
    CONSTRAINT ambassador_leaves_after_enrolling CHECK (left_at >= enrolled_at)
);

CREATE INDEX ambassadors_by_team ON core.ambassadors (organization_id, team);

-- Connections or followers per network, for potential reach (connections x shares).
CREATE TABLE core.ambassador_networks (
    organization_id  uuid NOT NULL,
    ambassador_id    core.external_id NOT NULL,
    network          core.network NOT NULL,
    connection_count core.counter NOT NULL,
    as_of            timestamptz NOT NULL,
    PRIMARY KEY (organization_id, ambassador_id, network),
    FOREIGN KEY (organization_id, ambassador_id) REFERENCES core.ambassadors ON DELETE CASCADE
);

CREATE TABLE core.content_items (
    organization_id uuid NOT NULL REFERENCES core.organizations ON DELETE CASCADE,
    content_id      core.external_id NOT NULL,
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    url             text CHECK (length(url) <= 2000),
    topic           text CHECK (length(topic) <= 200),
    campaign        text CHECK (length(campaign) <= 200),
    created_at      timestamptz NOT NULL,
    -- Which fact the row holds (see ingest.* writers): the greatest (occurred_at, event_id) wins; rows loaded
    -- by other means hold '-infinity' and '' and lose to any event.
    source_occurred_at timestamptz NOT NULL DEFAULT '-infinity',
    source_event_id    text NOT NULL DEFAULT '',
    PRIMARY KEY (organization_id, content_id)
);

CREATE INDEX content_items_by_campaign ON core.content_items (organization_id, campaign);

-- What the programme costs, per period (for ROI).
CREATE TABLE core.programme_costs (
    organization_id uuid NOT NULL REFERENCES core.organizations ON DELETE CASCADE,
    cost_id         core.external_id NOT NULL,
    period_start    date NOT NULL,
    period_end      date NOT NULL,
    category        core.cost_category NOT NULL,
    amount          core.money NOT NULL,
    currency        core.currency_code NOT NULL,
    note            text CHECK (length(note) <= 1000),
    -- Which fact the row holds (see ingest.* writers): the greatest (occurred_at, event_id) wins; rows loaded
    -- by other means hold '-infinity' and '' and lose to any event.
    source_occurred_at timestamptz NOT NULL DEFAULT '-infinity',
    source_event_id    text NOT NULL DEFAULT '',
    PRIMARY KEY (organization_id, cost_id),
    CONSTRAINT cost_period_is_ordered CHECK (period_end >= period_start)
);

CREATE INDEX programme_costs_by_period ON core.programme_costs (organization_id, period_start);

-- Earned media value rate card: what paid media would have cost, per network and currency, from a date on.
-- The card in force on a post's date is the one with the latest effective_from not after it.
CREATE TABLE core.emv_rate_cards (
    organization_id   uuid NOT NULL REFERENCES core.organizations ON DELETE CASCADE,
    network           core.network NOT NULL,
    currency          core.currency_code NOT NULL,
    effective_from    date NOT NULL,
    cpm               numeric(12, 4) NOT NULL CHECK (cpm >= 0),                -- per 1,000 impressions
    cpc               numeric(12, 4) NOT NULL CHECK (cpc >= 0),                -- per click
    cost_per_reaction numeric(12, 4) NOT NULL CHECK (cost_per_reaction >= 0),
    cost_per_comment  numeric(12, 4) NOT NULL CHECK (cost_per_comment >= 0),
    cost_per_reshare  numeric(12, 4) NOT NULL CHECK (cost_per_reshare >= 0),
    -- Which fact the row holds (see ingest.* writers): the greatest (occurred_at, event_id) wins; rows loaded
    -- by other means hold '-infinity' and '' and lose to any event.
    source_occurred_at timestamptz NOT NULL DEFAULT '-infinity',
    source_event_id    text NOT NULL DEFAULT '',
    PRIMARY KEY (organization_id, network, currency, effective_from)
);

-- ---------------------------------------------------------------------------------------------------------
-- fact: what happened.
CREATE TABLE fact.posts (
    organization_id uuid NOT NULL,
    post_id         core.external_id NOT NULL,
    ambassador_id   core.external_id NOT NULL,
    network         core.network NOT NULL,
    content_id      core.external_id,          -- NULL for an ambassador's own post
    posted_at       timestamptz NOT NULL,
    tracked_url     text CHECK (length(tracked_url) <= 2000),
    -- The utm_content token of tracked_url: web visits carrying it are attributed to this post.
    utm_token       text CHECK (utm_token ~ '^[A-Za-z0-9_-]{1,64}$'),
    -- Which fact the row holds (see ingest.* writers): the greatest (occurred_at, event_id) wins; rows loaded
    -- by other means hold '-infinity' and '' and lose to any event.
    source_occurred_at timestamptz NOT NULL DEFAULT '-infinity',
    source_event_id    text NOT NULL DEFAULT '',
    PRIMARY KEY (organization_id, post_id)
);

CREATE INDEX posts_by_time ON fact.posts (organization_id, posted_at);

CREATE INDEX posts_by_ambassador ON fact.posts (organization_id, ambassador_id, posted_at);

CREATE INDEX posts_by_content ON fact.posts (organization_id, content_id, posted_at) WHERE content_id IS NOT NULL;

CREATE UNIQUE INDEX posts_by_utm_token ON fact.posts (organization_id, utm_token) WHERE utm_token IS NOT NULL;

-- Every observation of a post's cumulative counters, as polled.
CREATE TABLE fact.post_metric_observations (
    organization_id  uuid NOT NULL,
    post_id          core.external_id NOT NULL,
    observed_at      timestamptz NOT NULL,
    impressions      core.counter NOT NULL,
    members_reached  core.counter NOT NULL,    -- unique viewers
    reactions        core.counter NOT NULL,
    comments         core.counter NOT NULL,
    reshares         core.counter NOT NULL,
    clicks           core.counter NOT NULL,
    saves            core.counter,
    sends            core.counter,
    followers_gained core.counter,
    -- Which fact the row holds (see ingest.* writers): the greatest (occurred_at, event_id) wins; rows loaded
    -- by other means hold '-infinity' and '' and lose to any event.
    source_occurred_at timestamptz NOT NULL DEFAULT '-infinity',
    source_event_id    text NOT NULL DEFAULT '',
    PRIMARY KEY (organization_id, post_id, observed_at),
    CONSTRAINT unique_viewers_within_impressions CHECK (members_reached <= impressions)
);

-- An audience member engaging with a post or an ambassador (reaction, comment, click, visit).
CREATE TABLE fact.audience_touches (
    organization_id uuid NOT NULL,
    touch_id        core.external_id NOT NULL,
    member_hash     core.pseudonym NOT NULL,
    post_id         core.external_id,
    ambassador_id   core.external_id,
    occurred_at     timestamptz NOT NULL,
    PRIMARY KEY (organization_id, touch_id),
    CONSTRAINT touch_names_post_or_ambassador CHECK (post_id IS NOT NULL OR ambassador_id IS NOT NULL)
);

CREATE INDEX audience_touches_by_time ON fact.audience_touches (organization_id, occurred_at);

-- Each audience member's first touch ever: "reached for the first time in the period" reads this.
CREATE TABLE fact.audience_members (
    organization_id   uuid NOT NULL,
    member_hash       core.pseudonym NOT NULL,
    first_touched_at  timestamptz NOT NULL,
    PRIMARY KEY (organization_id, member_hash)
);

CREATE INDEX audience_members_by_first_touch ON fact.audience_members (organization_id, first_touched_at);

-- LinkedIn Social Selling Index, one snapshot per ambassador and day. When two facts give the same day,
-- the one with the later source_occurred_at wins (ties: the greater source_event_id), whatever the order
-- they arrived in.
CREATE TABLE fact.ssi_snapshots (
    organization_id          uuid NOT NULL,
    ambassador_id            core.external_id NOT NULL,
    snapshot_date            date NOT NULL,
    brand_score              core.ssi_pillar NOT NULL,   -- establish your professional brand
    people_score             core.ssi_pillar NOT NULL,   -- find the right people
    insights_score           core.ssi_pillar NOT NULL,   -- engage with insights
    relationships_score      core.ssi_pillar NOT NULL,   -- build relationships
    total_score              core.percent NOT NULL,
    industry_rank_top_pct    numeric(5, 2) CHECK (industry_rank_top_pct > 0 AND industry_rank_top_pct <= 100),
    network_rank_top_pct     numeric(5, 2) CHECK (network_rank_top_pct > 0 AND network_rank_top_pct <= 100),
    industry_average         core.percent,
    network_average          core.percent,
    source_event_id          core.external_id NOT NULL,
    source_occurred_at       timestamptz NOT NULL,
    PRIMARY KEY (organization_id, ambassador_id, snapshot_date),
    -- LinkedIn's total is the sum of the pillars; each is rounded to two decimals, so allow 0.01.
    CONSTRAINT ssi_total_is_sum_of_pillars CHECK (
        abs(total_score - (brand_score + people_score + insights_score + relationships_score)) <= 0.01
    )
);

CREATE INDEX ssi_snapshots_by_date ON fact.ssi_snapshots (organization_id, snapshot_date);

-- A visit to the organisation's site, with the UTM parameters of its landing URL parsed out.
-- Attribution to a post (utm_content = fact.posts.utm_token) is resolved when read, so a visit that
-- arrives before its post is attributed as soon as the post is known.
CREATE TABLE fact.web_visits (
    organization_id uuid NOT NULL,
    visit_id        core.external_id NOT NULL,
    occurred_at     timestamptz NOT NULL,
    visitor_hash    core.pseudonym NOT NULL,
    landing_url     text NOT NULL CHECK (length(landing_url) <= 4000),
    utm_source      text CHECK (length(utm_source) <= 500),
    utm_medium      text CHECK (length(utm_medium) <= 500),
    utm_campaign    text CHECK (length(utm_campaign) <= 500),
    utm_content     text CHECK (length(utm_content) <= 500),
    utm_term        text CHECK (length(utm_term) <= 500),
    site_section    core.site_section NOT NULL,
    -- utm_medium marks the programme (see the UTM scheme in docs/ingestion.md); true even when the token is unknown.
    is_advocacy     boolean NOT NULL,
    -- Which fact the row holds (see ingest.* writers): the greatest (occurred_at, event_id) wins; rows loaded
    -- by other means hold '-infinity' and '' and lose to any event.
    source_occurred_at timestamptz NOT NULL DEFAULT '-infinity',
    source_event_id    text NOT NULL DEFAULT '',
    PRIMARY KEY (organization_id, visit_id)
);

CREATE INDEX web_visits_by_time ON fact.web_visits (organization_id, occurred_at);

CREATE INDEX web_visits_by_token ON fact.web_visits (organization_id, utm_content) WHERE is_advocacy;

CREATE TABLE fact.leads (
    organization_id uuid NOT NULL,
    lead_id         core.external_id NOT NULL,
    created_at      timestamptz NOT NULL,
    source_channel  core.channel NOT NULL,
    ambassador_id   core.external_id,
    post_id         core.external_id,
    estimated_value core.money,
    currency        core.currency_code,
    -- Which fact the row holds (see ingest.* writers): the greatest (occurred_at, event_id) wins; rows loaded
    -- by other means hold '-infinity' and '' and lose to any event.
    source_occurred_at timestamptz NOT NULL DEFAULT '-infinity',
    source_event_id    text NOT NULL DEFAULT '',
    PRIMARY KEY (organization_id, lead_id),
    CONSTRAINT lead_attribution_only_for_advocacy CHECK (
        source_channel = 'employee_advocacy' OR (ambassador_id IS NULL AND post_id IS NULL)
    ),
    CONSTRAINT lead_value_has_currency CHECK (estimated_value IS NULL OR currency IS NOT NULL)
);

CREATE INDEX leads_by_time ON fact.leads (organization_id, created_at);

-- A lead's stage history. A lead's current stage is its latest change (ties: the greater change_id).
CREATE TABLE fact.lead_stage_changes (
    organization_id uuid NOT NULL,
    change_id       core.external_id NOT NULL,
    lead_id         core.external_id NOT NULL,
    stage           core.lead_stage NOT NULL,
    changed_at      timestamptz NOT NULL,
    won_amount      core.money,
    currency        core.currency_code,
    PRIMARY KEY (organization_id, change_id),
    CONSTRAINT only_won_has_amount CHECK (stage = 'won' OR won_amount IS NULL),
    CONSTRAINT won_amount_has_currency CHECK (won_amount IS NULL OR currency IS NOT NULL)
);

CREATE INDEX lead_stage_changes_by_lead ON fact.lead_stage_changes (organization_id, lead_id, changed_at);

CREATE TABLE fact.applications (
    organization_id uuid NOT NULL,
    application_id  core.external_id NOT NULL,
    job_id          core.external_id NOT NULL,
    applied_at      timestamptz NOT NULL,
    source_channel  core.channel NOT NULL,
    ambassador_id   core.external_id,
    -- The ATS's candidate reference: candidate-level data, removed by erasure.
    candidate_ref   text CHECK (length(candidate_ref) <= 200),
    -- Which fact the row holds (see ingest.* writers): the greatest (occurred_at, event_id) wins; rows loaded
    -- by other means hold '-infinity' and '' and lose to any event.
    source_occurred_at timestamptz NOT NULL DEFAULT '-infinity',
    source_event_id    text NOT NULL DEFAULT '',
    PRIMARY KEY (organization_id, application_id),
    CONSTRAINT application_attribution_only_for_advocacy CHECK (
        source_channel = 'employee_advocacy' OR ambassador_id IS NULL
    )
);

CREATE INDEX applications_by_time ON fact.applications (organization_id, applied_at);

-- An application's stage history; its current stage is its latest change (ties: the greater change_id).
CREATE TABLE fact.application_stage_changes (
    organization_id uuid NOT NULL,
    change_id       core.external_id NOT NULL,
    application_id  core.external_id NOT NULL,
    stage           core.application_stage NOT NULL,
    changed_at      timestamptz NOT NULL,
    PRIMARY KEY (organization_id, change_id)
);

CREATE INDEX application_stage_changes_by_application
    ON fact.application_stage_changes (organization_id, application_id, changed_at);

-- ---------------------------------------------------------------------------------------------------------
-- ingest: the ledger that makes ingestion exactly-once and loses nothing.
-- Every accepted event id, forever: a re-sent event is recognised however late it comes.
CREATE TABLE ingest.accepted_events (
    organization_id uuid NOT NULL,
    event_id        core.external_id NOT NULL,
    event_type      text NOT NULL,
    occurred_at     timestamptz NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, event_id)
);

-- Every refused item, with exactly the bytes that came (they may not even be UTF-8) and why.
CREATE TABLE ingest.rejected_items (
    organization_id uuid NOT NULL REFERENCES core.organizations ON DELETE CASCADE,
    rejection_id    bigint GENERATED ALWAYS AS IDENTITY,
    received_at     timestamptz NOT NULL DEFAULT now(),
    source          text NOT NULL CHECK (source IN ('api', 'csv')),
    source_name     text,                       -- e.g. the CSV file and line
    event_id        text,                       -- as sent, when it could be read
    event_type      text,
    raw             bytea NOT NULL,
    reason          text NOT NULL CHECK (reason ~ '^[a-z_]+$'),   -- a code from the closed list of reasons
    field           text,                       -- the JSON path or CSV column at fault
    message         text NOT NULL,
    resolved_at     timestamptz,                -- when a corrected version was accepted
    PRIMARY KEY (organization_id, rejection_id)
);

CREATE INDEX rejected_items_by_time ON ingest.rejected_items (organization_id, received_at);

CREATE INDEX rejected_items_by_reason ON ingest.rejected_items (organization_id, reason, received_at);


-- ---------------------------------------------------------------------------------------------------------
-- Ambassadors: enrolled, updated and left facts may each carry part of the picture (an update may name only
-- the team), so they are all kept, and the ambassador row is recomputed from them: each attribute takes its
-- value from the latest fact that mentions it. A `null` in a fact clears the attribute; a key left out
-- leaves it alone.
CREATE TABLE core.ambassador_events (
    organization_id uuid NOT NULL REFERENCES core.organizations ON DELETE CASCADE,
    event_id        core.external_id NOT NULL,
    ambassador_id   core.external_id NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('enrolled', 'updated', 'left')),
    occurred_at     timestamptz NOT NULL,
    -- enrolled_at for 'enrolled', left_at for 'left'.
    effective_at    timestamptz,
    -- display_name, team, department, region and networks.<network> (a connection count), as sent.
    attributes      jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
    PRIMARY KEY (organization_id, event_id),
    CONSTRAINT enrol_and_leave_have_a_date CHECK (kind = 'updated' OR effective_at IS NOT NULL)
);

CREATE INDEX ambassador_events_by_ambassador ON core.ambassador_events (organization_id, ambassador_id);

-- ---------------------------------------------------------------------------------------------------------
-- Links made by GET /v1/links: the token in utm_content names the ambassador, content and network even
-- before the post that uses it is reported, so visits can be attributed from the first click.
CREATE TABLE ingest.tracked_links (
    organization_id uuid NOT NULL REFERENCES core.organizations ON DELETE CASCADE,
    token           text NOT NULL CHECK (token ~ '^[A-Za-z0-9_-]{1,64}$'),
    ambassador_id   core.external_id NOT NULL,
    content_id      core.external_id NOT NULL,
    network         core.network NOT NULL,
    url             text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, token)
);

-- Accepting an event resolves the earlier refusals of its id: find those without scanning every refusal.
CREATE INDEX rejected_items_unresolved_by_event
    ON ingest.rejected_items (organization_id, event_id)
    WHERE resolved_at IS NULL AND event_id IS NOT NULL;

-- ---------------------------------------------------------------------------------------------------------
-- kpi: the KPIs of docs/KPIS.md, computed in the database, once, for the API and any BI tool. The functions
-- (kpi.summary and the series, leaderboards and breakdowns) are in SQL/definitions/functions/kpi; here are
-- the catalog (each KPI's definition, unit and the facts it reads) and the SSI bands.
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

-- ---------------------------------------------------------------------------------------------------------
-- LinkedIn SSI (docs/KPIS.md): "an ambassador's SSI at a date" is always their latest snapshot on or before
-- that date. A goal: reach target_score by target_date (e.g. 50 by Christmas, then 75 next summer).
CREATE TABLE core.ssi_goals (
    organization_id uuid NOT NULL REFERENCES core.organizations ON DELETE CASCADE,
    ambassador_id   core.external_id NOT NULL,
    target_score    core.percent NOT NULL,
    target_date     date NOT NULL,
    set_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, ambassador_id)
);

-- The bands and seed 001's post reach relative to the 60-75 band (100 %). Below 45 the source gives none.
CREATE TABLE kpi.ssi_bands (
    band           text PRIMARY KEY,
    ordinal        integer NOT NULL UNIQUE,
    lower_bound    numeric(5, 2) NOT NULL,           -- included
    upper_bound    numeric(5, 2),                    -- excluded; NULL: no upper bound
    relative_reach numeric(4, 2)
);

INSERT INTO kpi.ssi_bands (ordinal, band, lower_bound, upper_bound, relative_reach) VALUES
    (1, 'below 45', 0, 45, NULL),
    (2, '45-60', 45, 60, 0.75),
    (3, '60-75', 60, 75, 1.00),
    (4, '75-90', 75, 90, 1.25),
    (5, '90 and above', 90, NULL, 1.50);

-- ---------------------------------------------------------------------------------------------------------
-- API keys with scopes, and the audit log of admin actions. A key is shown once, at creation, as adv_<key id>_<secret>; only sha256(secret) is kept.
CREATE TABLE core.api_keys (
    organization_id uuid NOT NULL REFERENCES core.organizations ON DELETE CASCADE,
    key_id          uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- ingest: post events; marketing: every KPI but candidate-level rows; hr: candidate KPIs and careers
    -- traffic; admin: keys, goals, the audit log (and everything the others may do).
    scopes          text[] NOT NULL CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['ingest', 'marketing', 'hr', 'admin']),
    secret_hash     bytea NOT NULL CHECK (octet_length(secret_hash) = 32),
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz,
    revoked_at      timestamptz,
    last_used_at    timestamptz,
    PRIMARY KEY (organization_id, key_id)
);

-- What admins did: key creation and revocation, goals, erasures. Read by admin keys only.
CREATE TABLE core.audit_log (
    organization_id uuid NOT NULL REFERENCES core.organizations ON DELETE CASCADE,
    audit_id        bigint GENERATED ALWAYS AS IDENTITY,
    at              timestamptz NOT NULL DEFAULT now(),
    actor_key_id    uuid,                      -- NULL for the command line
    action          text NOT NULL CHECK (action ~ '^[a-z_.]+$'),
    target          text,
    detail          jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (organization_id, audit_id)
);

-- Finding a key's organisation comes before any organisation is set: this index holds ids only, no secret,
-- and is the one tenant-free table the service reads.
CREATE TABLE core.api_key_index (
    key_id          uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES core.organizations ON DELETE CASCADE
);

DO $$
BEGIN
    CREATE ROLE advocacy_service NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;  -- roles belong to the cluster: another database's migration made it
END
$$;

-- ---------------------------------------------------------------------------------------------------------
-- rollup: per-day aggregates, so that dashboards read a few hundred rows whatever the history. The same KPIs
-- computed from the raw facts (kpi.*_raw) are the reference the tests compare them against.
--
-- What is kept, per organisation and calendar day in its time zone:
--   rollup.daily          every additive measure of the day (posts, impressions, EMV parts, visits, leads...);
--   rollup.entity_days    who was there that day: posters (ambassadors with a post), content items shared,
--                         advocacy visitors, audience members touched, with how many facts each;
--   rollup.entities_seen  per kind and day, how many of those entities are seen for the first time, and how
--                         many were last seen at least g days before, for every g. The distinct entities of
--                         [a, b] are, summed over its days d, those seen on d for the first time or not in
--                         the d - a days before: exact distinct counts from one row a day;
--   rollup.poster_days, content_days, network_days  each day's numbers per ambassador and network, per
--                         content item, per network;
--   rollup.posters, rollup.contents  an ordinal for each ambassador who ever posted and each content item
--                         ever shared: its position in one array per organisation;
--   rollup.posts_through, network_posts_through, content_through  for each day with a post, everyone's
--                         cumulative numbers by ordinal. The numbers of [from, to] are the row of the last
--                         posting day <= to minus the row of the last posting day < from, element by element;
--   rollup.ssi_spans      each SSI snapshot with the day its successor starts: the snapshots in force at a
--                         date are the spans containing it, found by an index range.
-- Programme costs and enrolment are small and read live.
--
-- Maintenance: statement triggers on the facts queue the days a change touches in rollup.dirty_days (an
-- append-only queue: ingestion never waits for maintenance). rollup.maintain(org, ...) recomputes queued days
-- from the raw facts under a per-organisation advisory lock, so any number of service instances (and the API,
-- which refreshes the days a request reads before answering) can run it at once: one works, the others skip
-- (the worker) or wait (a reader). A late fact queues its own day; a change in who was seen on a day queues
-- the next day that entity was seen, whose gap it changes. A change of core.ambassadors queues the day
-- -infinity, which rollup.maintain reads as "refresh the posters' enrolment dates and teams".
CREATE SCHEMA rollup;

-- The queue goes with its organisation. The per-entity tables have no foreign key: they take thousands of
-- rows a statement, and core.delete_organization clears them.
CREATE TABLE rollup.dirty_days (
    entry_id        bigserial PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES core.organizations ON DELETE CASCADE,
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

-- The content leaderboard has no count of distinct ambassadors per item: a distinct count per item and
-- period has no additive form, and reading every post of the period is what the rollups avoid.
CREATE TABLE rollup.poster_days (
    organization_id uuid NOT NULL,
    day             date NOT NULL,
    ambassador_id   text NOT NULL,
    network         text NOT NULL,
    posts           integer NOT NULL CHECK (posts > 0),
    impressions     bigint NOT NULL CHECK (impressions >= 0),
    engagements     bigint NOT NULL CHECK (engagements >= 0),
    PRIMARY KEY (organization_id, day, ambassador_id, network)
);

CREATE TABLE rollup.content_days (
    organization_id uuid NOT NULL,
    day             date NOT NULL,
    content_id      text NOT NULL,
    shares          integer NOT NULL CHECK (shares > 0),
    impressions     bigint NOT NULL CHECK (impressions >= 0),
    engagements     bigint NOT NULL CHECK (engagements >= 0),
    PRIMARY KEY (organization_id, day, content_id)
);

CREATE TABLE rollup.network_days (
    organization_id uuid NOT NULL,
    day             date NOT NULL,
    network         text NOT NULL,
    posts           integer NOT NULL CHECK (posts > 0),
    impressions     bigint NOT NULL CHECK (impressions >= 0),
    engagements     bigint NOT NULL CHECK (engagements >= 0),
    emv             numeric NOT NULL CHECK (emv >= 0),   -- unrounded: rounded once on the period's sum
    PRIMARY KEY (organization_id, day, network)
);

CREATE TABLE rollup.posters (
    organization_id uuid PRIMARY KEY REFERENCES core.organizations ON DELETE CASCADE,
    -- Position = ordinal. A poster whose posts are all gone (erased, deleted) leaves a NULL: the other
    -- ordinals stay put, and its numbers are zero in every row.
    ambassador_ids  text[] NOT NULL,
    -- enrolled_at[i], teams[i]: ambassador_ids[i]'s enrolment date and current team (NULL: unknown).
    enrolled_at     timestamptz[] NOT NULL,
    teams           text[] NOT NULL,
    CHECK (cardinality(enrolled_at) = cardinality(ambassador_ids) AND cardinality(teams) = cardinality(ambassador_ids))
);

CREATE TABLE rollup.contents (
    organization_id uuid PRIMARY KEY REFERENCES core.organizations ON DELETE CASCADE,
    content_ids     text[] NOT NULL          -- position = ordinal; content ids are not personal data: kept
);

-- Arrays by ordinal, cumulative over the days <= day; shorter arrays: later ordinals have nothing yet.
CREATE TABLE rollup.posts_through (
    organization_id uuid NOT NULL REFERENCES core.organizations ON DELETE CASCADE,
    day             date NOT NULL,
    posts           integer[] NOT NULL,
    impressions     bigint[] NOT NULL,
    engagements     bigint[] NOT NULL,
    PRIMARY KEY (organization_id, day)
);

CREATE TABLE rollup.network_posts_through (
    organization_id uuid NOT NULL REFERENCES core.organizations ON DELETE CASCADE,
    network         text NOT NULL,
    day             date NOT NULL,
    posts           integer[] NOT NULL,      -- by poster ordinal, on this network
    PRIMARY KEY (organization_id, network, day)
);

CREATE TABLE rollup.content_through (
    organization_id uuid NOT NULL REFERENCES core.organizations ON DELETE CASCADE,
    day             date NOT NULL,
    shares          integer[] NOT NULL,      -- by content ordinal
    impressions     bigint[] NOT NULL,
    engagements     bigint[] NOT NULL,
    PRIMARY KEY (organization_id, day)
);

-- ---------------------------------------------------------------------------------------------------------
-- SSI spans.
CREATE TABLE rollup.ssi_spans (
    organization_id       uuid NOT NULL,
    ambassador_id         text NOT NULL,
    snapshot_date         date NOT NULL,
    next_date             date NOT NULL,      -- the ambassador's next snapshot date; infinity for the latest
    first_snapshot        boolean NOT NULL,   -- the ambassador's first snapshot (the start of the most improved)
    total_score           numeric NOT NULL,
    brand_score           numeric NOT NULL,
    people_score          numeric NOT NULL,
    insights_score        numeric NOT NULL,
    relationships_score   numeric NOT NULL,
    industry_rank_top_pct numeric,
    network_rank_top_pct  numeric,
    PRIMARY KEY (organization_id, ambassador_id, snapshot_date),
    CHECK (next_date > snapshot_date)
);

-- In force at a date: started on or before it (few rows for an early date) and ending after it (few rows for
-- a recent one). Plain date comparisons, not a range index: under row-level security only leakproof
-- operators reach an index, and the range operators are not.
CREATE INDEX ssi_spans_by_day ON rollup.ssi_spans (organization_id, snapshot_date);

CREATE INDEX ssi_spans_by_end ON rollup.ssi_spans (organization_id, next_date) INCLUDE (snapshot_date);

CREATE INDEX ssi_spans_first ON rollup.ssi_spans (organization_id, ambassador_id) WHERE first_snapshot;

-- Counting the ambassadors enrolled at the end of a period reads this index only.
CREATE INDEX ambassadors_by_enrolment ON core.ambassadors (organization_id, enrolled_at) INCLUDE (left_at);
