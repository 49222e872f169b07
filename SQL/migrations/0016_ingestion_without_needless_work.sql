-- 0016: ingestion without needless work per row.
--
-- Profiled under the ingestion benchmark (README, "Ingestion throughput"):
--   1. core.pseudonym was never inlined. 0002 declared it IMMUTABLE, but its body calls convert_to, which is
--      STABLE, and PostgreSQL inlines a SQL function only when its body is no more volatile than it claims:
--      every visit and every touch ran a SQL function call of its own (an executor started and stopped per
--      row), about a twentieth of the database's work per event. STABLE is its true volatility (no index or
--      generated column uses it), and lets it be inlined.
--   2. The fast paths of 0012 (a plain insert, the careful ON CONFLICT statement only when it fails) still
--      sorted every batch to keep one row per key (DISTINCT ON). A batch with the same key twice fails the
--      plain insert as a stored key does, and takes the careful path, which keeps the newest: the sort is
--      only needed there.
--   3. unnest(a, b, c, ...) in FROM is a function scan per array, each copied whole into a tuple store
--      before the first row comes out. unnest(a), unnest(b), ... in the select list (a ProjectSet) steps
--      through the arrays together, row by row, with no copy: the same rows in the same order (arrays of
--      unequal length are padded with NULLs either way). The fast paths read their batch so; about a
--      twentieth of the database's work per event.

-- 1.
ALTER FUNCTION core.pseudonym(bytea, text) STABLE;

COMMENT ON FUNCTION core.pseudonym(bytea, text) IS
    'The keyed hash that stands for a visitor or an audience member. STABLE (convert_to is), so it is inlined.';

-- 2 and 3. Observations.
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
        SELECT org, unnest(post_ids), unnest(observed), unnest(impressions), unnest(members_reached), unnest(reactions),
               unnest(comments), unnest(reshares), unnest(clicks), unnest(saves), unnest(sends), unnest(followers_gained),
               unnest(occurred), unnest(event_ids);
    EXCEPTION WHEN unique_violation THEN
        -- The same post and observed_at again, stored or in this batch (a correction, or a retry under another
        -- event id): the newer event's counters win.
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

-- 2 and 3. Visits: every row of a batch, pseudonymised and placed (site section) as 0002 does ...
CREATE FUNCTION ingest.placed_web_visits(
    org uuid, event_ids text[], occurred timestamptz[], visit_ids text[], visitors text[], landing_urls text[],
    hosts text[], paths text[], sources text[], mediums text[], campaigns text[], contents text[], terms text[],
    advocacy boolean[]
) RETURNS TABLE (organization_id uuid, visit_id text, occurred_at timestamptz, visitor_hash core.pseudonym, landing_url text,
                 utm_source text, utm_medium text, utm_campaign text, utm_content text, utm_term text,
                 site_section core.site_section, is_advocacy boolean, source_occurred_at timestamptz, source_event_id text)
    LANGUAGE sql STABLE
    AS $$
        SELECT org, e.visit_id, e.occurred_at, core.pseudonym(o.pseudonym_key, e.visitor), e.landing_url,
               e.source, e.medium, e.campaign, e.content, e.term,
               CASE WHEN e.host = o.careers_host
                         OR e.path = o.careers_path OR e.path LIKE rtrim(o.careers_path, '/') || '/%'
                    THEN 'careers' ELSE 'main' END::core.site_section,
               e.advocacy, e.occurred_at, e.event_id
        FROM (
            SELECT unnest(event_ids) AS event_id, unnest(occurred) AS occurred_at, unnest(visit_ids) AS visit_id,
                   unnest(visitors) AS visitor, unnest(landing_urls) AS landing_url, unnest(hosts) AS host,
                   unnest(paths) AS path, unnest(sources) AS source, unnest(mediums) AS medium,
                   unnest(campaigns) AS campaign, unnest(contents) AS content, unnest(terms) AS term,
                   unnest(advocacy) AS advocacy
        ) AS e
        CROSS JOIN core.organizations AS o
        WHERE o.organization_id = org
    $$;

-- ... and one per visit id (the newest event's), for the careful path.
CREATE OR REPLACE FUNCTION ingest.web_visit_rows(
    org uuid, event_ids text[], occurred timestamptz[], visit_ids text[], visitors text[], landing_urls text[],
    hosts text[], paths text[], sources text[], mediums text[], campaigns text[], contents text[], terms text[],
    advocacy boolean[]
) RETURNS TABLE (organization_id uuid, visit_id text, occurred_at timestamptz, visitor_hash core.pseudonym, landing_url text,
                 utm_source text, utm_medium text, utm_campaign text, utm_content text, utm_term text,
                 site_section core.site_section, is_advocacy boolean, source_occurred_at timestamptz, source_event_id text)
    LANGUAGE sql STABLE
    AS $$
        SELECT DISTINCT ON (v.visit_id) v.*
        FROM ingest.placed_web_visits(org, event_ids, occurred, visit_ids, visitors, landing_urls, hosts, paths, sources,
                                      mediums, campaigns, contents, terms, advocacy) AS v
        ORDER BY v.visit_id, v.source_occurred_at DESC, v.source_event_id DESC
    $$;

CREATE OR REPLACE FUNCTION ingest.upsert_web_visits(
    org uuid, event_ids text[], occurred timestamptz[], visit_ids text[], visitors text[], landing_urls text[],
    hosts text[], paths text[], sources text[], mediums text[], campaigns text[], contents text[], terms text[],
    advocacy boolean[]
) RETURNS void
    LANGUAGE plpgsql
    AS $$
    BEGIN
        INSERT INTO fact.web_visits (organization_id, visit_id, occurred_at, visitor_hash, landing_url, utm_source,
            utm_medium, utm_campaign, utm_content, utm_term, site_section, is_advocacy, source_occurred_at, source_event_id)
        SELECT * FROM ingest.placed_web_visits(org, event_ids, occurred, visit_ids, visitors, landing_urls, hosts, paths,
                                               sources, mediums, campaigns, contents, terms, advocacy);
    EXCEPTION WHEN unique_violation THEN
        -- A visit id stored already, or twice in this batch: the newer event's visit wins.
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
    END
    $$;

-- 3. The ledger (0012) ...
CREATE OR REPLACE FUNCTION ingest.record_events(org uuid, event_ids text[], event_types text[], occurred timestamptz[])
    RETURNS SETOF text
    LANGUAGE plpgsql
    AS $$
    BEGIN
        BEGIN
            INSERT INTO ingest.accepted_events (organization_id, event_id, event_type, occurred_at)
            SELECT org, unnest(event_ids), unnest(event_types), unnest(occurred);
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

-- ... and the touches (0002), each with its member's first touch.
CREATE OR REPLACE FUNCTION ingest.insert_audience_touches(
    org uuid, event_ids text[], members text[], post_ids text[], ambassador_ids text[], touched timestamptz[]
) RETURNS void
    LANGUAGE plpgsql
    AS $$
    BEGIN
        WITH batch AS (
            SELECT e.event_id, core.pseudonym(o.pseudonym_key, e.member) AS member_hash, e.post_id, e.ambassador_id,
                   e.touched_at
            FROM (
                SELECT unnest(event_ids) AS event_id, unnest(members) AS member, unnest(post_ids) AS post_id,
                       unnest(ambassador_ids) AS ambassador_id, unnest(touched) AS touched_at
            ) AS e
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
        WHERE excluded.first_touched_at < t.first_touched_at;
    END
    $$;
