-- 0012: ingestion that spends its time storing facts.
--
-- Under the ingestion benchmark (README, "Ingestion throughput") PostgreSQL took twice the CPU per event that
-- \copy of the same rows takes. The changes (1, 5 and 6 gave what the benchmark could measure; 2 to 4 are
-- within its noise, and kept as plain good practice):
--   1. The ledger of ids, the observations and the visits are nearly always new: they are inserted plainly
--      (one look-up of the unique index per row, not two as with ON CONFLICT); a batch holding a known key
--      falls back to the ON CONFLICT statement of 0002.
--   2. The other batch writers of 0002 (one statement each, LANGUAGE sql, planned at every call) become
--      PL/pgSQL functions with the same statement, whose plan the connection keeps.
--   3. The queueing triggers of 0010 ran their day query through EXECUTE: each watched table gets a trigger
--      function of its own with the query written in (planned once per connection).
--   4. The tenant rule compared organization_id with core.current_organization() row by row, parsing the
--      setting each time: (SELECT core.current_organization()) is computed once per statement.
--   5. The background maintenance leaves an organisation alone while its queue keeps growing: recomputing
--      days that the next batch touches again took a core from the ingestion.
--   6. A post's latest metrics are read from its observations instead of being kept in a second table.

-- 1. Observations and visits: nearly all new. ON CONFLICT looks each row up before inserting it; a plain insert
-- checks uniqueness once, as it inserts. A batch that holds a stored key (a correction, a retry under another
-- event id) fails on it and is written the careful way, which keeps the newer fact (0002).

-- A batch's observations, one per post and observed_at (the newest event's), as 0002 stores them.
CREATE FUNCTION ingest.post_metric_rows(
    event_ids text[], occurred timestamptz[], post_ids text[], observed timestamptz[],
    impressions bigint[], members_reached bigint[], reactions bigint[], comments bigint[], reshares bigint[],
    clicks bigint[], saves bigint[], sends bigint[], followers_gained bigint[]
) RETURNS TABLE (event_id text, occurred_at timestamptz, post_id text, observed_at timestamptz, impressions bigint,
                 members_reached bigint, reactions bigint, comments bigint, reshares bigint, clicks bigint, saves bigint,
                 sends bigint, followers_gained bigint)
    LANGUAGE sql IMMUTABLE
    AS $$
        SELECT DISTINCT ON (e.post_id, e.observed_at) *
        FROM unnest(event_ids, occurred, post_ids, observed, impressions, members_reached, reactions, comments,
                    reshares, clicks, saves, sends, followers_gained)
             AS e (event_id, occurred_at, post_id, observed_at, impressions, members_reached, reactions, comments,
                   reshares, clicks, saves, sends, followers_gained)
        ORDER BY e.post_id, e.observed_at, e.occurred_at DESC, e.event_id DESC
    $$;

CREATE OR REPLACE FUNCTION ingest.upsert_post_metrics(
    org uuid, event_ids text[], occurred timestamptz[], post_ids text[], observed timestamptz[],
    impressions bigint[], members_reached bigint[], reactions bigint[], comments bigint[], reshares bigint[],
    clicks bigint[], saves bigint[], sends bigint[], followers_gained bigint[]
) RETURNS void
    LANGUAGE plpgsql
    AS $$
    BEGIN
        INSERT INTO fact.post_metric_observations (organization_id, post_id, observed_at, impressions, members_reached,
            reactions, comments, reshares, clicks, saves, sends, followers_gained, source_occurred_at, source_event_id)
        SELECT org, b.post_id, b.observed_at, b.impressions, b.members_reached, b.reactions, b.comments, b.reshares,
               b.clicks, b.saves, b.sends, b.followers_gained, b.occurred_at, b.event_id
        FROM ingest.post_metric_rows(event_ids, occurred, post_ids, observed, impressions, members_reached, reactions,
                                     comments, reshares, clicks, saves, sends, followers_gained) AS b;
    EXCEPTION WHEN unique_violation THEN
        -- The same post and observed_at again (a correction, or a retry under another event id): the newer
        -- event's counters win.
        INSERT INTO fact.post_metric_observations AS t (organization_id, post_id, observed_at, impressions, members_reached,
            reactions, comments, reshares, clicks, saves, sends, followers_gained, source_occurred_at, source_event_id)
        SELECT org, b.post_id, b.observed_at, b.impressions, b.members_reached, b.reactions, b.comments, b.reshares,
               b.clicks, b.saves, b.sends, b.followers_gained, b.occurred_at, b.event_id
        FROM ingest.post_metric_rows(event_ids, occurred, post_ids, observed, impressions, members_reached, reactions,
                                     comments, reshares, clicks, saves, sends, followers_gained) AS b
        ON CONFLICT (organization_id, post_id, observed_at) DO UPDATE
        SET impressions = excluded.impressions, members_reached = excluded.members_reached,
            reactions = excluded.reactions, comments = excluded.comments, reshares = excluded.reshares,
            clicks = excluded.clicks, saves = excluded.saves, sends = excluded.sends,
            followers_gained = excluded.followers_gained, source_occurred_at = excluded.source_occurred_at,
            source_event_id = excluded.source_event_id
        WHERE (excluded.source_occurred_at, excluded.source_event_id) > (t.source_occurred_at, t.source_event_id);
    END
    $$;

-- A batch's visits, one per visit id (the newest event's), pseudonymised and placed (site section) as 0002 does.
CREATE FUNCTION ingest.web_visit_rows(
    org uuid, event_ids text[], occurred timestamptz[], visit_ids text[], visitors text[], landing_urls text[],
    hosts text[], paths text[], sources text[], mediums text[], campaigns text[], contents text[], terms text[],
    advocacy boolean[]
) RETURNS TABLE (organization_id uuid, visit_id text, occurred_at timestamptz, visitor_hash core.pseudonym, landing_url text,
                 utm_source text, utm_medium text, utm_campaign text, utm_content text, utm_term text,
                 site_section core.site_section, is_advocacy boolean, source_occurred_at timestamptz, source_event_id text)
    LANGUAGE sql STABLE
    AS $$
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
    $$;

CREATE OR REPLACE FUNCTION ingest.upsert_web_visits(
    org uuid, event_ids text[], occurred timestamptz[], visit_ids text[], visitors text[], landing_urls text[],
    hosts text[], paths text[], sources text[], mediums text[], campaigns text[], contents text[], terms text[],
    advocacy boolean[]
) RETURNS void
    LANGUAGE plpgsql
    AS $$
    BEGIN
        BEGIN
            INSERT INTO fact.web_visits (organization_id, visit_id, occurred_at, visitor_hash, landing_url, utm_source,
                utm_medium, utm_campaign, utm_content, utm_term, site_section, is_advocacy, source_occurred_at, source_event_id)
            SELECT * FROM ingest.web_visit_rows(org, event_ids, occurred, visit_ids, visitors, landing_urls, hosts, paths,
                                                sources, mediums, campaigns, contents, terms, advocacy);
        EXCEPTION WHEN unique_violation THEN
            INSERT INTO fact.web_visits AS t (organization_id, visit_id, occurred_at, visitor_hash, landing_url, utm_source,
                utm_medium, utm_campaign, utm_content, utm_term, site_section, is_advocacy, source_occurred_at, source_event_id)
            SELECT * FROM ingest.web_visit_rows(org, event_ids, occurred, visit_ids, visitors, landing_urls, hosts, paths,
                                                sources, mediums, campaigns, contents, terms, advocacy)
            ON CONFLICT (organization_id, visit_id) DO UPDATE
            SET occurred_at = excluded.occurred_at, visitor_hash = excluded.visitor_hash,
                landing_url = excluded.landing_url, utm_source = excluded.utm_source, utm_medium = excluded.utm_medium,
                utm_campaign = excluded.utm_campaign, utm_content = excluded.utm_content, utm_term = excluded.utm_term,
                site_section = excluded.site_section, is_advocacy = excluded.is_advocacy,
                source_occurred_at = excluded.source_occurred_at, source_event_id = excluded.source_event_id
            WHERE (excluded.source_occurred_at, excluded.source_event_id) > (t.source_occurred_at, t.source_event_id);
        END;
    END
    $$;

-- The ledger of accepted ids (the exactly-once rule), written by the service until now with INSERT ... ON CONFLICT
-- DO NOTHING, which looks each id up and then inserts it: two descents of the index per event. Nearly every
-- batch is new; a plain insert checks each id once, as it inserts it. A batch holding a known id (a retry)
-- fails on it, and takes the careful way. Returns the ids that were in the ledger already (their events are
-- duplicates): usually none, so a batch of new events sends nothing back.
CREATE FUNCTION ingest.record_events(org uuid, event_ids text[], event_types text[], occurred timestamptz[])
    RETURNS SETOF text
    LANGUAGE plpgsql
    AS $$
    BEGIN
        BEGIN
            INSERT INTO ingest.accepted_events (organization_id, event_id, event_type, occurred_at)
            SELECT org, e.id, e.type, e.occurred_at FROM unnest(event_ids, event_types, occurred) AS e (id, type, occurred_at);
            RETURN;
        EXCEPTION WHEN unique_violation THEN
            NULL;  -- the insert is undone; below, the known ids are skipped
        END;
        RETURN QUERY
        WITH added AS (
            INSERT INTO ingest.accepted_events AS a (organization_id, event_id, event_type, occurred_at)
            SELECT org, e.id, e.type, e.occurred_at FROM unnest(event_ids, event_types, occurred) AS e (id, type, occurred_at)
            ON CONFLICT DO NOTHING
            RETURNING a.event_id
        )
        SELECT e.id FROM unnest(event_ids) AS e (id) WHERE NOT EXISTS (SELECT FROM added WHERE added.event_id = e.id COLLATE "C");
    END
    $$;

-- 2. The other batch writers: same statements, kept plans. A SQL function's column names win over its
-- parameter names; variable_conflict use_column keeps that rule.
DO $$
DECLARE
    writer record;
BEGIN
    FOR writer IN
        SELECT p.proname, pg_catalog.pg_get_function_arguments(p.oid) AS arguments, p.prosrc
        FROM pg_catalog.pg_proc AS p
        WHERE p.pronamespace = 'ingest'::regnamespace AND p.prolang = (SELECT l.oid FROM pg_catalog.pg_language AS l WHERE l.lanname = 'sql')
          AND (p.proname LIKE 'upsert\_%' OR p.proname LIKE 'insert\_%') AND p.prorettype = 'void'::regtype
    LOOP
        EXECUTE format('CREATE OR REPLACE FUNCTION ingest.%I(%s) RETURNS void LANGUAGE plpgsql AS %L', writer.proname, writer.arguments,
                       E'#variable_conflict use_column\nBEGIN\n' || rtrim(writer.prosrc, E' \n\t;') || E';\nEND');
    END LOOP;
END
$$;

-- 3. rollup.watch(table, day query) now writes the query into rollup.queue_days_of_<schema>_<table>(), run by
-- the table's three statement triggers (one compiled copy, and one kept plan, per trigger).
CREATE OR REPLACE FUNCTION rollup.watch(watched regclass, day_query text) RETURNS void
    LANGUAGE plpgsql
    AS $$
    DECLARE
        queue CONSTANT text := format('rollup.%I', 'queue_days_of_' || replace(watched::text, '.', '_'));
        -- An organisation being deleted (its facts go by cascade) has nothing left to maintain (0015).
        insert_days CONSTANT text :=
            'INSERT INTO rollup.dirty_days (organization_id, day) SELECT DISTINCT d.* FROM (%s) AS d (org, day) WHERE d.day IS NOT NULL'
            ' AND EXISTS (SELECT FROM core.organizations AS o WHERE o.organization_id = d.org);';
    BEGIN
        EXECUTE format('CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS %L', queue,
                       E'BEGIN\n'
                       || E'IF TG_OP IN (''INSERT'', ''UPDATE'') THEN\n' || format(insert_days, replace(day_query, '$rows', 'new_rows'))
                       || E'\nEND IF;\n'
                       || E'IF TG_OP IN (''UPDATE'', ''DELETE'') THEN\n' || format(insert_days, replace(day_query, '$rows', 'old_rows'))
                       || E'\nEND IF;\nRETURN NULL;\nEND');
        EXECUTE format('CREATE TRIGGER queue_inserted_days AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION %s()', watched, queue);
        EXECUTE format('CREATE TRIGGER queue_updated_days AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION %s()', watched, queue);
        EXECUTE format('CREATE TRIGGER queue_deleted_days AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION %s()', watched, queue);
    END
    $$;

-- The tables watched so far, with their queries as 0010 and 0011 gave them.
DO $$
DECLARE
    watch record;
BEGIN
    FOR watch IN
        SELECT t.tgrelid::regclass AS watched, convert_from(rtrim(t.tgargs, '\x00'::bytea), 'UTF8') AS day_query
        FROM pg_catalog.pg_trigger AS t
        WHERE t.tgfoid = 'rollup.queue_changed_days'::regproc AND t.tgname = 'queue_inserted_days'
    LOOP
        EXECUTE format('DROP TRIGGER queue_inserted_days ON %s', watch.watched);
        EXECUTE format('DROP TRIGGER queue_updated_days ON %s', watch.watched);
        EXECUTE format('DROP TRIGGER queue_deleted_days ON %s', watch.watched);
        PERFORM rollup.watch(watch.watched, watch.day_query);
    END LOOP;
END
$$;

DROP FUNCTION rollup.queue_changed_days();

-- 4. The same rule, its organisation read once per statement.
DO $$
DECLARE
    keyed regclass;
BEGIN
    FOR keyed IN
        SELECT format('%I.%I', p.schemaname, p.tablename)::regclass FROM pg_catalog.pg_policies AS p WHERE p.policyname = 'tenant_isolation'
    LOOP
        EXECUTE format('ALTER POLICY tenant_isolation ON %s USING (organization_id = (SELECT core.current_organization())) '
                       'WITH CHECK (organization_id = (SELECT core.current_organization()))', keyed);
    END LOOP;
END
$$;

-- 5. Background maintenance that lets a burst settle. Every batch queues the days it touches; a sender
-- streaming a day's visits queues the same day again every few milliseconds. The background worker
-- recomputed it each time, spending a core on days about to change again. It now leaves an organisation
-- alone until its queue has been quiet for a moment, or until its oldest queued day has waited too long.
-- Reads are not affected: a request first recomputes the queued days it reads (rollup.maintain(..., wait)).
DROP FUNCTION rollup.organizations_to_maintain();

-- The organisations with queued days whose newest entry is older than settled_for, or whose oldest is older
-- than at_most_behind: ids only, across tenants (the worker reads them before it acts for any organisation).
CREATE FUNCTION rollup.organizations_to_maintain(settled_for interval DEFAULT '0 s', at_most_behind interval DEFAULT '0 s')
    RETURNS SETOF uuid
    LANGUAGE sql STABLE
    SECURITY DEFINER
    SET search_path = pg_catalog, rollup
    AS $$
        SELECT q.organization_id
        FROM rollup.dirty_days AS q
        GROUP BY q.organization_id
        HAVING max(q.queued_at) <= now() - settled_for OR min(q.queued_at) <= now() - at_most_behind
    $$;

-- 6. The latest metrics, from the observations. Ingestion wrote every metrics event twice: the observation,
-- then an upsert of the post's row in fact.post_metrics (a look-up, a row lock, a new row version and its
-- WAL), a fifth of the database's work per event under the benchmark. The latest observation of a post is one
-- step down the observations' primary key (organization_id, post_id, observed_at): fact.post_metrics becomes
-- a view of it, so the KPIs, the BI tools and the tests read it as before, and it can no longer disagree with
-- the observations. A late observation still never replaces a newer one: the latest is the greatest
-- observed_at, whatever the order of arrival.
DROP TABLE fact.post_metrics;  -- its queueing triggers go with it
DROP FUNCTION rollup.queue_days_of_fact_post_metrics();

CREATE VIEW fact.post_metrics WITH (security_invoker = true) AS
    SELECT DISTINCT ON (m.organization_id, m.post_id) m.*
    FROM fact.post_metric_observations AS m
    ORDER BY m.organization_id, m.post_id, m.observed_at DESC;

COMMENT ON VIEW fact.post_metrics IS
    'The latest observation of each post (greatest observed_at): the metrics the KPIs read. Row-level security of '
    'fact.post_metric_observations applies to whoever reads it (security_invoker).';

GRANT SELECT ON fact.post_metrics TO advocacy_service, advocacy_reader;

-- A new or corrected observation may change its post's latest metrics: its post's day is recomputed.
SELECT rollup.watch('fact.post_metric_observations', $q$
    SELECT p.organization_id, (p.posted_at AT TIME ZONE o.time_zone)::date
    FROM $rows AS r JOIN fact.posts AS p USING (organization_id, post_id) JOIN core.organizations AS o USING (organization_id)
$q$);

-- Each post of [from, to] with its latest metrics and its EMV, as in 0010; the latest observation of each
-- post is looked up down the primary key (the view would sort every observation of the organisation).
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
            LEFT JOIN LATERAL (
                SELECT m.impressions, m.members_reached, m.reactions, m.comments, m.reshares, m.clicks
                FROM fact.post_metric_observations AS m
                WHERE m.organization_id = org AND m.post_id = p.post_id
                ORDER BY m.observed_at DESC
                LIMIT 1
            ) AS m ON true
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
