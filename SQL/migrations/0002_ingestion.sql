-- 0002: what ingestion needs to keep every fact exactly once, whatever order facts arrive in.
--
-- The rule for facts that describe a thing (a post, a lead, a visit, a rate card...): the fact with the
-- greatest (occurred_at, event_id) wins, so the stored state is the same whatever order events came in.
-- Each such table records which fact it holds (source_occurred_at, source_event_id); rows loaded by other
-- means (the demo seeder) hold '-infinity' and '' and lose to any event.
--
-- The upsert_* functions below are the only way ingestion writes facts. Each takes one batch as parallel
-- arrays (one element per event, already validated by the service) and applies the rule above; within a
-- batch, DISTINCT ON keeps the winner of each key, because one statement cannot update a row twice.

-- ---------------------------------------------------------------------------------------------------------
-- Which fact each row holds.

ALTER TABLE core.content_items
    ADD COLUMN source_occurred_at timestamptz NOT NULL DEFAULT '-infinity',
    ADD COLUMN source_event_id    text NOT NULL DEFAULT '';
ALTER TABLE core.programme_costs
    ADD COLUMN source_occurred_at timestamptz NOT NULL DEFAULT '-infinity',
    ADD COLUMN source_event_id    text NOT NULL DEFAULT '';
ALTER TABLE core.emv_rate_cards
    ADD COLUMN source_occurred_at timestamptz NOT NULL DEFAULT '-infinity',
    ADD COLUMN source_event_id    text NOT NULL DEFAULT '';
ALTER TABLE fact.posts
    ADD COLUMN source_occurred_at timestamptz NOT NULL DEFAULT '-infinity',
    ADD COLUMN source_event_id    text NOT NULL DEFAULT '';
ALTER TABLE fact.post_metric_observations
    ADD COLUMN source_occurred_at timestamptz NOT NULL DEFAULT '-infinity',
    ADD COLUMN source_event_id    text NOT NULL DEFAULT '';
ALTER TABLE fact.post_metrics
    ADD COLUMN source_occurred_at timestamptz NOT NULL DEFAULT '-infinity',
    ADD COLUMN source_event_id    text NOT NULL DEFAULT '';
ALTER TABLE fact.web_visits
    ADD COLUMN source_occurred_at timestamptz NOT NULL DEFAULT '-infinity',
    ADD COLUMN source_event_id    text NOT NULL DEFAULT '';
ALTER TABLE fact.leads
    ADD COLUMN source_occurred_at timestamptz NOT NULL DEFAULT '-infinity',
    ADD COLUMN source_event_id    text NOT NULL DEFAULT '';
ALTER TABLE fact.applications
    ADD COLUMN source_occurred_at timestamptz NOT NULL DEFAULT '-infinity',
    ADD COLUMN source_event_id    text NOT NULL DEFAULT '';

-- The key that turns an audience member's or a visitor's identifier into the stored pseudonym:
-- sha256(key || identifier). One key per organisation, so two organisations cannot correlate people.
CREATE FUNCTION core.random_key() RETURNS bytea
    LANGUAGE sql VOLATILE
    AS $$ SELECT decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex') $$;

ALTER TABLE core.organizations
    ADD COLUMN pseudonym_key bytea NOT NULL DEFAULT core.random_key() CHECK (octet_length(pseudonym_key) = 32);

-- A plain expression, so PostgreSQL inlines it; callers join the organisation once for its key.
CREATE FUNCTION core.pseudonym(key bytea, identifier text) RETURNS core.pseudonym
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT sha256(key || convert_to(identifier, 'UTF8'))::core.pseudonym $$;

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

-- Recomputes core.ambassadors and core.ambassador_networks for the given ambassadors from all their facts.
CREATE FUNCTION ingest.refresh_ambassadors(org uuid, ambassador_ids text[]) RETURNS void
    LANGUAGE sql
    AS $$
        WITH events AS (
            SELECT * FROM core.ambassador_events
            WHERE organization_id = org AND ambassador_id = ANY (ambassador_ids)
        ),
        -- The latest value of every attribute key, per ambassador.
        latest_attributes AS (
            SELECT DISTINCT ON (e.ambassador_id, a.key) e.ambassador_id, a.key, a.value, e.occurred_at
            FROM events AS e, jsonb_each(e.attributes) AS a
            ORDER BY e.ambassador_id, a.key, e.occurred_at DESC, e.event_id DESC
        ),
        latest_enrolment AS (
            SELECT DISTINCT ON (ambassador_id) ambassador_id, effective_at AS enrolled_at
            FROM events WHERE kind = 'enrolled'
            ORDER BY ambassador_id, occurred_at DESC, event_id DESC
        ),
        latest_leaving AS (
            SELECT DISTINCT ON (ambassador_id) ambassador_id, effective_at AS left_at
            FROM events WHERE kind = 'left'
            ORDER BY ambassador_id, occurred_at DESC, event_id DESC
        ),
        current AS (
            SELECT a.ambassador_id,
                   max(la.value #>> '{}') FILTER (WHERE la.key = 'display_name') AS display_name,
                   max(la.value #>> '{}') FILTER (WHERE la.key = 'team') AS team,
                   max(la.value #>> '{}') FILTER (WHERE la.key = 'department') AS department,
                   max(la.value #>> '{}') FILTER (WHERE la.key = 'region') AS region,
                   (SELECT max(occurred_at) FROM events AS e WHERE e.ambassador_id = a.ambassador_id) AS as_of
            FROM (SELECT DISTINCT ambassador_id FROM events) AS a
            LEFT JOIN latest_attributes AS la USING (ambassador_id)
            GROUP BY a.ambassador_id
        ),
        upserted AS (
            INSERT INTO core.ambassadors AS t (organization_id, ambassador_id, display_name, team, department, region,
                                               enrolled_at, left_at, attributes_as_of)
            SELECT org, c.ambassador_id, c.display_name, c.team, c.department, c.region, en.enrolled_at,
                   -- Leaving before the latest enrolment means the ambassador came back: not left.
                   CASE WHEN lv.left_at >= coalesce(en.enrolled_at, '-infinity') THEN lv.left_at END,
                   c.as_of
            FROM current AS c
            LEFT JOIN latest_enrolment AS en USING (ambassador_id)
            LEFT JOIN latest_leaving AS lv USING (ambassador_id)
            ON CONFLICT (organization_id, ambassador_id) DO UPDATE
            SET display_name = excluded.display_name, team = excluded.team, department = excluded.department,
                region = excluded.region, enrolled_at = excluded.enrolled_at, left_at = excluded.left_at,
                attributes_as_of = excluded.attributes_as_of
            RETURNING t.ambassador_id
        ),
        networks AS (
            SELECT la.ambassador_id, substr(la.key, 10)::core.network AS network,
                   (la.value #>> '{}')::bigint AS connection_count, la.occurred_at
            FROM latest_attributes AS la
            WHERE la.key LIKE 'networks.%' AND jsonb_typeof(la.value) = 'number'
        )
        INSERT INTO core.ambassador_networks AS t (organization_id, ambassador_id, network, connection_count, as_of)
        SELECT org, n.ambassador_id, n.network, n.connection_count, n.occurred_at
        FROM networks AS n
        WHERE n.ambassador_id IN (SELECT ambassador_id FROM upserted)
        ON CONFLICT (organization_id, ambassador_id, network) DO UPDATE
        SET connection_count = excluded.connection_count, as_of = excluded.as_of
    $$;

-- ---------------------------------------------------------------------------------------------------------
-- Facts that describe one thing each: the newest fact about it wins.

CREATE FUNCTION ingest.upsert_content_items(
    org uuid, event_ids text[], occurred timestamptz[], content_ids text[], titles text[], urls text[],
    topics text[], campaigns text[], created timestamptz[]
) RETURNS void
    LANGUAGE sql
    AS $$
        INSERT INTO core.content_items AS t (organization_id, content_id, title, url, topic, campaign, created_at,
                                             source_occurred_at, source_event_id)
        SELECT DISTINCT ON (e.content_id) org, e.content_id, e.title, e.url, e.topic, e.campaign, e.created_at,
               e.occurred_at, e.event_id
        FROM unnest(event_ids, occurred, content_ids, titles, urls, topics, campaigns, created)
             AS e (event_id, occurred_at, content_id, title, url, topic, campaign, created_at)
        ORDER BY e.content_id, e.occurred_at DESC, e.event_id DESC
        ON CONFLICT (organization_id, content_id) DO UPDATE
        SET title = excluded.title, url = excluded.url, topic = excluded.topic, campaign = excluded.campaign,
            created_at = excluded.created_at, source_occurred_at = excluded.source_occurred_at,
            source_event_id = excluded.source_event_id
        WHERE (excluded.source_occurred_at, excluded.source_event_id) > (t.source_occurred_at, t.source_event_id)
    $$;

CREATE FUNCTION ingest.upsert_posts(
    org uuid, event_ids text[], occurred timestamptz[], post_ids text[], ambassador_ids text[], networks text[],
    content_ids text[], posted timestamptz[], tracked_urls text[], utm_tokens text[]
) RETURNS void
    LANGUAGE sql
    AS $$
        INSERT INTO fact.posts AS t (organization_id, post_id, ambassador_id, network, content_id, posted_at,
                                     tracked_url, utm_token, source_occurred_at, source_event_id)
        SELECT DISTINCT ON (e.post_id) org, e.post_id, e.ambassador_id, e.network::core.network, e.content_id,
               e.posted_at, e.tracked_url, e.utm_token, e.occurred_at, e.event_id
        FROM unnest(event_ids, occurred, post_ids, ambassador_ids, networks, content_ids, posted, tracked_urls, utm_tokens)
             AS e (event_id, occurred_at, post_id, ambassador_id, network, content_id, posted_at, tracked_url, utm_token)
        ORDER BY e.post_id, e.occurred_at DESC, e.event_id DESC
        ON CONFLICT (organization_id, post_id) DO UPDATE
        SET ambassador_id = excluded.ambassador_id, network = excluded.network, content_id = excluded.content_id,
            posted_at = excluded.posted_at, tracked_url = excluded.tracked_url, utm_token = excluded.utm_token,
            source_occurred_at = excluded.source_occurred_at, source_event_id = excluded.source_event_id
        WHERE (excluded.source_occurred_at, excluded.source_event_id) > (t.source_occurred_at, t.source_event_id)
    $$;

-- Observations are kept (the newest fact per post and observed_at); the post's latest observation is the
-- one with the greatest observed_at, so one that arrives late never replaces a newer one.
CREATE FUNCTION ingest.upsert_post_metrics(
    org uuid, event_ids text[], occurred timestamptz[], post_ids text[], observed timestamptz[],
    impressions bigint[], members_reached bigint[], reactions bigint[], comments bigint[], reshares bigint[],
    clicks bigint[], saves bigint[], sends bigint[], followers_gained bigint[]
) RETURNS void
    LANGUAGE sql
    AS $$
        WITH batch AS (
            SELECT DISTINCT ON (e.post_id, e.observed_at) *
            FROM unnest(event_ids, occurred, post_ids, observed, impressions, members_reached, reactions, comments,
                        reshares, clicks, saves, sends, followers_gained)
                 AS e (event_id, occurred_at, post_id, observed_at, impressions, members_reached, reactions, comments,
                       reshares, clicks, saves, sends, followers_gained)
            ORDER BY e.post_id, e.observed_at, e.occurred_at DESC, e.event_id DESC
        ),
        observations AS (
            INSERT INTO fact.post_metric_observations AS t (organization_id, post_id, observed_at, impressions,
                members_reached, reactions, comments, reshares, clicks, saves, sends, followers_gained,
                source_occurred_at, source_event_id)
            SELECT org, post_id, observed_at, impressions, members_reached, reactions, comments, reshares, clicks,
                   saves, sends, followers_gained, occurred_at, event_id
            FROM batch
            ON CONFLICT (organization_id, post_id, observed_at) DO UPDATE
            SET impressions = excluded.impressions, members_reached = excluded.members_reached,
                reactions = excluded.reactions, comments = excluded.comments, reshares = excluded.reshares,
                clicks = excluded.clicks, saves = excluded.saves, sends = excluded.sends,
                followers_gained = excluded.followers_gained, source_occurred_at = excluded.source_occurred_at,
                source_event_id = excluded.source_event_id
            WHERE (excluded.source_occurred_at, excluded.source_event_id) > (t.source_occurred_at, t.source_event_id)
        )
        INSERT INTO fact.post_metrics AS t (organization_id, post_id, observed_at, impressions, members_reached,
            reactions, comments, reshares, clicks, saves, sends, followers_gained, source_occurred_at, source_event_id)
        SELECT DISTINCT ON (post_id) org, post_id, observed_at, impressions, members_reached, reactions, comments,
               reshares, clicks, saves, sends, followers_gained, occurred_at, event_id
        FROM batch
        ORDER BY post_id, observed_at DESC, occurred_at DESC, event_id DESC
        ON CONFLICT (organization_id, post_id) DO UPDATE
        SET observed_at = excluded.observed_at, impressions = excluded.impressions,
            members_reached = excluded.members_reached, reactions = excluded.reactions, comments = excluded.comments,
            reshares = excluded.reshares, clicks = excluded.clicks, saves = excluded.saves, sends = excluded.sends,
            followers_gained = excluded.followers_gained, source_occurred_at = excluded.source_occurred_at,
            source_event_id = excluded.source_event_id
        WHERE (excluded.observed_at, excluded.source_occurred_at, excluded.source_event_id)
            > (t.observed_at, t.source_occurred_at, t.source_event_id)
    $$;

-- A touch is its own fact (its id is the event id); the member's first touch is the earliest of all.
CREATE FUNCTION ingest.insert_audience_touches(
    org uuid, event_ids text[], members text[], post_ids text[], ambassador_ids text[], touched timestamptz[]
) RETURNS void
    LANGUAGE sql
    AS $$
        WITH batch AS (
            SELECT e.event_id, core.pseudonym(o.pseudonym_key, e.member) AS member_hash, e.post_id, e.ambassador_id,
                   e.touched_at
            FROM unnest(event_ids, members, post_ids, ambassador_ids, touched)
                 AS e (event_id, member, post_id, ambassador_id, touched_at)
            CROSS JOIN core.organizations AS o
            WHERE o.organization_id = org
        ),
        -- The touch's id is its event id, which the ledger has just admitted as new: no conflict to check.
        touches AS (
            INSERT INTO fact.audience_touches (organization_id, touch_id, member_hash, post_id, ambassador_id, occurred_at)
            SELECT org, event_id, member_hash, post_id, ambassador_id, touched_at FROM batch
        )
        INSERT INTO fact.audience_members AS t (organization_id, member_hash, first_touched_at)
        SELECT org, member_hash, min(touched_at) FROM batch GROUP BY member_hash
        ON CONFLICT (organization_id, member_hash) DO UPDATE
        SET first_touched_at = least(t.first_touched_at, excluded.first_touched_at)
        WHERE excluded.first_touched_at < t.first_touched_at
    $$;

CREATE FUNCTION ingest.upsert_ssi_snapshots(
    org uuid, event_ids text[], occurred timestamptz[], ambassador_ids text[], days date[], brand numeric[],
    people numeric[], insights numeric[], relationships numeric[], totals numeric[], industry_ranks numeric[],
    network_ranks numeric[], industry_averages numeric[], network_averages numeric[]
) RETURNS void
    LANGUAGE sql
    AS $$
        INSERT INTO fact.ssi_snapshots AS t (organization_id, ambassador_id, snapshot_date, brand_score, people_score,
            insights_score, relationships_score, total_score, industry_rank_top_pct, network_rank_top_pct,
            industry_average, network_average, source_event_id, source_occurred_at)
        SELECT DISTINCT ON (e.ambassador_id, e.day) org, e.ambassador_id, e.day, e.brand, e.people, e.insights,
               e.relationships, e.total, e.industry_rank, e.network_rank, e.industry_average, e.network_average,
               e.event_id, e.occurred_at
        FROM unnest(event_ids, occurred, ambassador_ids, days, brand, people, insights, relationships, totals,
                    industry_ranks, network_ranks, industry_averages, network_averages)
             AS e (event_id, occurred_at, ambassador_id, day, brand, people, insights, relationships, total,
                   industry_rank, network_rank, industry_average, network_average)
        ORDER BY e.ambassador_id, e.day, e.occurred_at DESC, e.event_id DESC
        ON CONFLICT (organization_id, ambassador_id, snapshot_date) DO UPDATE
        SET brand_score = excluded.brand_score, people_score = excluded.people_score,
            insights_score = excluded.insights_score, relationships_score = excluded.relationships_score,
            total_score = excluded.total_score, industry_rank_top_pct = excluded.industry_rank_top_pct,
            network_rank_top_pct = excluded.network_rank_top_pct, industry_average = excluded.industry_average,
            network_average = excluded.network_average, source_event_id = excluded.source_event_id,
            source_occurred_at = excluded.source_occurred_at
        WHERE (excluded.source_occurred_at, excluded.source_event_id) > (t.source_occurred_at, t.source_event_id)
    $$;

-- A visit is careers-portal traffic when its landing host is the organisation's careers host, or its path
-- is the careers path or below it.
CREATE FUNCTION ingest.upsert_web_visits(
    org uuid, event_ids text[], occurred timestamptz[], visit_ids text[], visitors text[], landing_urls text[],
    hosts text[], paths text[], sources text[], mediums text[], campaigns text[], contents text[], terms text[],
    advocacy boolean[]
) RETURNS void
    LANGUAGE sql
    AS $$
        INSERT INTO fact.web_visits AS t (organization_id, visit_id, occurred_at, visitor_hash, landing_url,
            utm_source, utm_medium, utm_campaign, utm_content, utm_term, site_section, is_advocacy,
            source_occurred_at, source_event_id)
        SELECT DISTINCT ON (e.visit_id) org, e.visit_id, e.occurred_at, core.pseudonym(o.pseudonym_key, e.visitor), e.landing_url,
               e.source, e.medium, e.campaign, e.content, e.term,
               CASE WHEN e.host = o.careers_host
                         OR e.path = o.careers_path OR e.path LIKE rtrim(o.careers_path, '/') || '/%'
                    THEN 'careers' ELSE 'main' END::core.site_section,
               e.advocacy, e.occurred_at, e.event_id
        FROM unnest(event_ids, occurred, visit_ids, visitors, landing_urls, hosts, paths, sources, mediums, campaigns,
                    contents, terms, advocacy)
             AS e (event_id, occurred_at, visit_id, visitor, landing_url, host, path, source, medium, campaign,
                   content, term, advocacy)
        CROSS JOIN core.organizations AS o
        WHERE o.organization_id = org
        ORDER BY e.visit_id, e.occurred_at DESC, e.event_id DESC
        ON CONFLICT (organization_id, visit_id) DO UPDATE
        SET occurred_at = excluded.occurred_at, visitor_hash = excluded.visitor_hash,
            landing_url = excluded.landing_url, utm_source = excluded.utm_source, utm_medium = excluded.utm_medium,
            utm_campaign = excluded.utm_campaign, utm_content = excluded.utm_content, utm_term = excluded.utm_term,
            site_section = excluded.site_section, is_advocacy = excluded.is_advocacy,
            source_occurred_at = excluded.source_occurred_at, source_event_id = excluded.source_event_id
        WHERE (excluded.source_occurred_at, excluded.source_event_id) > (t.source_occurred_at, t.source_event_id)
    $$;

CREATE FUNCTION ingest.upsert_leads(
    org uuid, event_ids text[], occurred timestamptz[], lead_ids text[], created timestamptz[], channels text[],
    ambassador_ids text[], post_ids text[], estimated_values numeric[], currencies text[]
) RETURNS void
    LANGUAGE sql
    AS $$
        INSERT INTO fact.leads AS t (organization_id, lead_id, created_at, source_channel, ambassador_id, post_id,
                                     estimated_value, currency, source_occurred_at, source_event_id)
        SELECT DISTINCT ON (e.lead_id) org, e.lead_id, e.created_at, e.channel::core.channel, e.ambassador_id,
               e.post_id, e.estimated_value, e.currency, e.occurred_at, e.event_id
        FROM unnest(event_ids, occurred, lead_ids, created, channels, ambassador_ids, post_ids, estimated_values, currencies)
             AS e (event_id, occurred_at, lead_id, created_at, channel, ambassador_id, post_id, estimated_value, currency)
        ORDER BY e.lead_id, e.occurred_at DESC, e.event_id DESC
        ON CONFLICT (organization_id, lead_id) DO UPDATE
        SET created_at = excluded.created_at, source_channel = excluded.source_channel,
            ambassador_id = excluded.ambassador_id, post_id = excluded.post_id,
            estimated_value = excluded.estimated_value, currency = excluded.currency,
            source_occurred_at = excluded.source_occurred_at, source_event_id = excluded.source_event_id
        WHERE (excluded.source_occurred_at, excluded.source_event_id) > (t.source_occurred_at, t.source_event_id)
    $$;

-- Stage changes are facts of their own (their id is the event id, new by the ledger): all are kept, in any
-- order, even before the lead or application they belong to arrives.
CREATE FUNCTION ingest.insert_lead_stage_changes(
    org uuid, event_ids text[], lead_ids text[], stages text[], changed timestamptz[], amounts numeric[],
    currencies text[]
) RETURNS void
    LANGUAGE sql
    AS $$
        INSERT INTO fact.lead_stage_changes (organization_id, change_id, lead_id, stage, changed_at, won_amount, currency)
        SELECT org, e.event_id, e.lead_id, e.stage::core.lead_stage, e.changed_at, e.amount, e.currency
        FROM unnest(event_ids, lead_ids, stages, changed, amounts, currencies)
             AS e (event_id, lead_id, stage, changed_at, amount, currency)
    $$;

CREATE FUNCTION ingest.upsert_applications(
    org uuid, event_ids text[], occurred timestamptz[], application_ids text[], job_ids text[], applied timestamptz[],
    channels text[], ambassador_ids text[], candidate_refs text[]
) RETURNS void
    LANGUAGE sql
    AS $$
        INSERT INTO fact.applications AS t (organization_id, application_id, job_id, applied_at, source_channel,
                                            ambassador_id, candidate_ref, source_occurred_at, source_event_id)
        SELECT DISTINCT ON (e.application_id) org, e.application_id, e.job_id, e.applied_at, e.channel::core.channel,
               e.ambassador_id, e.candidate_ref, e.occurred_at, e.event_id
        FROM unnest(event_ids, occurred, application_ids, job_ids, applied, channels, ambassador_ids, candidate_refs)
             AS e (event_id, occurred_at, application_id, job_id, applied_at, channel, ambassador_id, candidate_ref)
        ORDER BY e.application_id, e.occurred_at DESC, e.event_id DESC
        ON CONFLICT (organization_id, application_id) DO UPDATE
        SET job_id = excluded.job_id, applied_at = excluded.applied_at, source_channel = excluded.source_channel,
            ambassador_id = excluded.ambassador_id, candidate_ref = excluded.candidate_ref,
            source_occurred_at = excluded.source_occurred_at, source_event_id = excluded.source_event_id
        WHERE (excluded.source_occurred_at, excluded.source_event_id) > (t.source_occurred_at, t.source_event_id)
    $$;

CREATE FUNCTION ingest.insert_application_stage_changes(
    org uuid, event_ids text[], application_ids text[], stages text[], changed timestamptz[]
) RETURNS void
    LANGUAGE sql
    AS $$
        INSERT INTO fact.application_stage_changes (organization_id, change_id, application_id, stage, changed_at)
        SELECT org, e.event_id, e.application_id, e.stage::core.application_stage, e.changed_at
        FROM unnest(event_ids, application_ids, stages, changed) AS e (event_id, application_id, stage, changed_at)
    $$;

CREATE FUNCTION ingest.upsert_programme_costs(
    org uuid, event_ids text[], occurred timestamptz[], cost_ids text[], starts date[], ends date[],
    categories text[], amounts numeric[], currencies text[], notes text[]
) RETURNS void
    LANGUAGE sql
    AS $$
        INSERT INTO core.programme_costs AS t (organization_id, cost_id, period_start, period_end, category, amount,
                                               currency, note, source_occurred_at, source_event_id)
        SELECT DISTINCT ON (e.cost_id) org, e.cost_id, e.period_start, e.period_end, e.category::core.cost_category,
               e.amount, e.currency, e.note, e.occurred_at, e.event_id
        FROM unnest(event_ids, occurred, cost_ids, starts, ends, categories, amounts, currencies, notes)
             AS e (event_id, occurred_at, cost_id, period_start, period_end, category, amount, currency, note)
        ORDER BY e.cost_id, e.occurred_at DESC, e.event_id DESC
        ON CONFLICT (organization_id, cost_id) DO UPDATE
        SET period_start = excluded.period_start, period_end = excluded.period_end, category = excluded.category,
            amount = excluded.amount, currency = excluded.currency, note = excluded.note,
            source_occurred_at = excluded.source_occurred_at, source_event_id = excluded.source_event_id
        WHERE (excluded.source_occurred_at, excluded.source_event_id) > (t.source_occurred_at, t.source_event_id)
    $$;

CREATE FUNCTION ingest.upsert_rate_cards(
    org uuid, event_ids text[], occurred timestamptz[], networks text[], currencies text[], effective date[],
    cpms numeric[], cpcs numeric[], per_reaction numeric[], per_comment numeric[], per_reshare numeric[]
) RETURNS void
    LANGUAGE sql
    AS $$
        INSERT INTO core.emv_rate_cards AS t (organization_id, network, currency, effective_from, cpm, cpc,
            cost_per_reaction, cost_per_comment, cost_per_reshare, source_occurred_at, source_event_id)
        SELECT DISTINCT ON (e.network, e.currency, e.effective_from) org, e.network::core.network, e.currency,
               e.effective_from, e.cpm, e.cpc, e.per_reaction, e.per_comment, e.per_reshare, e.occurred_at, e.event_id
        FROM unnest(event_ids, occurred, networks, currencies, effective, cpms, cpcs, per_reaction, per_comment, per_reshare)
             AS e (event_id, occurred_at, network, currency, effective_from, cpm, cpc, per_reaction, per_comment, per_reshare)
        ORDER BY e.network, e.currency, e.effective_from, e.occurred_at DESC, e.event_id DESC
        ON CONFLICT (organization_id, network, currency, effective_from) DO UPDATE
        SET cpm = excluded.cpm, cpc = excluded.cpc, cost_per_reaction = excluded.cost_per_reaction,
            cost_per_comment = excluded.cost_per_comment, cost_per_reshare = excluded.cost_per_reshare,
            source_occurred_at = excluded.source_occurred_at, source_event_id = excluded.source_event_id
        WHERE (excluded.source_occurred_at, excluded.source_event_id) > (t.source_occurred_at, t.source_event_id)
    $$;

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
