-- 0001: the raw facts of an advocacy programme, as ingested.
--
-- Layers, one schema each:
--   core    organisations and what they configure or describe (ambassadors, content, costs, rate cards)
--   fact    facts as they arrive, one row per fact, never aggregated
--   ingest  the ingestion ledger: every accepted event id, every refused item with its raw text
-- (rollups and KPI views come in later migrations, in schemas of their own.)
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

CREATE FUNCTION core.is_time_zone(name text) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$ SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_timezone_names WHERE pg_timezone_names.name = $1) $$;

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
    created_at      timestamptz NOT NULL DEFAULT now()
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
    PRIMARY KEY (organization_id, post_id, observed_at),
    CONSTRAINT unique_viewers_within_impressions CHECK (members_reached <= impressions)
);

-- The latest observation of each post: what the KPIs read. An observation replaces the row only when
-- its observed_at is later, so one that arrives late never overwrites a newer one.
CREATE TABLE fact.post_metrics (
    LIKE fact.post_metric_observations INCLUDING CONSTRAINTS,
    PRIMARY KEY (organization_id, post_id)
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
    -- utm_medium marks the programme (see the README's UTM scheme); true even when the token is unknown.
    is_advocacy     boolean NOT NULL,
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
-- Removing an organisation: every table keyed by organization_id, including those without a foreign key.

CREATE FUNCTION core.delete_organization(organization uuid) RETURNS void
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
              AND n.nspname IN ('fact', 'ingest') AND c.relname <> 'rejected_items'
        LOOP
            EXECUTE format('DELETE FROM %s WHERE organization_id = $1', keyed) USING organization;
        END LOOP;
        -- The rest goes by ON DELETE CASCADE.
        DELETE FROM core.organizations WHERE organization_id = organization;
    END
    $$;
