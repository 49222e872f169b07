-- 0011: the numbers of each ambassador, content item and network for any period, from a few array reads.
--
-- Daily totals (0010) cannot give what is counted per entity: posts per ambassador (active ambassadors, the
-- median, the 90th percentile), the ambassador and content leaderboards, the breakdown by network with its
-- active ambassadors. 0010 kept one compressed array per ambassador instead, read and joined whole for each
-- period (12 ms a period at 5,000 ambassadors). Now:
--   rollup.poster_days, content_days, network_days  each day's numbers per ambassador and network, per content
--                         item, per network (recomputed with the rest of the day by rollup.maintain);
--   rollup.posters, rollup.contents  an ordinal for each ambassador who ever posted and each content item ever
--                         shared: its position in one array per organisation;
--   rollup.posts_through, network_posts_through, content_through  for each day with a post, everyone's
--                         cumulative numbers by ordinal.
-- The numbers of [from, to] are the row of the last posting day <= to minus the row of the last posting day
-- < from, element by element. The posters' enrolment dates and teams are kept by ordinal beside their ids,
-- so that counting the enrolled ones and naming teams needs no join: a change of core.ambassadors queues
-- the day -infinity, which rollup.maintain reads as "refresh the posters' enrolment dates and teams".
--
-- SSI: "an ambassador's SSI at a date" is their latest snapshot on or before it (0004), found with a DISTINCT
-- ON over every snapshot up to the date: 200,000 rows sorted for each average, band count, leaderboard and
-- most improved at 10 million facts. rollup.ssi_spans keeps each snapshot with the day its successor starts;
-- the snapshots in force at a date are the spans containing it, found by an index range.
--
-- The content leaderboard loses its count of distinct ambassadors per item: a distinct count per item and
-- period has no additive form, and reading every post of the period is what the rollups are for avoiding.

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
-- Maintenance.

-- What the cumulative rows are built from, for one day: its numbers per ambassador and network and per
-- content item, as text.
CREATE FUNCTION rollup.post_days_text(org uuid, d date) RETURNS text
    LANGUAGE sql STABLE
    AS $$
        SELECT coalesce((SELECT string_agg(p::text, ';' ORDER BY p.ambassador_id, p.network) FROM rollup.poster_days AS p
                         WHERE p.organization_id = org AND p.day = d), '')
               || '|' || coalesce((SELECT string_agg(c::text, ';' ORDER BY c.content_id) FROM rollup.content_days AS c
                                   WHERE c.organization_id = org AND c.day = d), '')
    $$;

-- A day's numbers per ambassador and network, per content item, per network, from its posts valued once.
-- Returns whether the numbers the cumulative rows are built from changed (a late visit or lead on a past
-- day changes none of them: no cumulative row to rebuild). Planned as rollup.recompute_day is (a day is a
-- few thousand rows: index lookups, no hashing of tables).
CREATE FUNCTION rollup.recompute_post_days(org uuid, d date) RETURNS boolean
    LANGUAGE plpgsql
    SET enable_hashjoin = off
    SET enable_mergejoin = off
    SET jit = off
    AS $$
    DECLARE
        before CONSTANT text := rollup.post_days_text(org, d);
    BEGIN
        DELETE FROM rollup.poster_days WHERE organization_id = org AND day = d;
        DELETE FROM rollup.content_days WHERE organization_id = org AND day = d;
        DELETE FROM rollup.network_days WHERE organization_id = org AND day = d;
        WITH valued AS MATERIALIZED (
            SELECT v.ambassador_id, v.network, v.content_id, v.impressions,
                   v.reactions + v.comments + v.reshares + v.clicks AS engagements,
                   v.impressions_value + v.clicks_value + v.engagement_value AS emv
            FROM kpi.post_values(org, d, d) AS v
        ),
        per_poster AS (
            INSERT INTO rollup.poster_days (organization_id, day, ambassador_id, network, posts, impressions, engagements)
            SELECT org, d, v.ambassador_id, v.network, count(*), sum(v.impressions), sum(v.engagements)
            FROM valued AS v GROUP BY v.ambassador_id, v.network
        ),
        per_content AS (
            INSERT INTO rollup.content_days (organization_id, day, content_id, shares, impressions, engagements)
            SELECT org, d, v.content_id, count(*), sum(v.impressions), sum(v.engagements)
            FROM valued AS v WHERE v.content_id IS NOT NULL GROUP BY v.content_id
        )
        INSERT INTO rollup.network_days (organization_id, day, network, posts, impressions, engagements, emv)
        SELECT org, d, v.network, count(*), sum(v.impressions), sum(v.engagements), coalesce(sum(v.emv), 0)
        FROM valued AS v GROUP BY v.network;
        RETURN rollup.post_days_text(org, d) IS DISTINCT FROM before;
    END
    $$;

-- Saves the organisation's posters by ordinal, with their enrolment dates and teams from core.ambassadors.
CREATE FUNCTION rollup.save_posters(org uuid, ids text[]) RETURNS void
    LANGUAGE sql
    AS $$
        INSERT INTO rollup.posters (organization_id, ambassador_ids, enrolled_at, teams)
        SELECT org, ids, coalesce(array_agg(a.enrolled_at ORDER BY s.ordinal), '{}'), coalesce(array_agg(a.team ORDER BY s.ordinal), '{}')
        FROM unnest(ids) WITH ORDINALITY AS s (id, ordinal)
        LEFT JOIN core.ambassadors AS a ON a.organization_id = org AND a.ambassador_id = s.id
        ON CONFLICT (organization_id) DO UPDATE
        SET ambassador_ids = excluded.ambassador_ids, enrolled_at = excluded.enrolled_at, teams = excluded.teams
    $$;

-- Rebuilds the cumulative rows from day `since` on, after rollup.maintain recomputed days >= since
-- (`posters`: the ambassadors whose posting days changed, some of whom may have no post left). Ordinals
-- first: new posters and content items appended, posters with no day left forgotten. Each row is then the
-- row before plus its day, so the rows before `since`, whose days did not change, are kept.
CREATE FUNCTION rollup.rebuild_through(org uuid, since date, posters bytea[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
    DECLARE
        ids text[];
        items text[];
        d date;
        n text;
        run_posts integer[];
        run_impressions bigint[];
        run_engagements bigint[];
        run_network_posts integer[];
        run_shares integer[];
        run_content_impressions bigint[];
        run_content_engagements bigint[];
    BEGIN
        SELECT p.ambassador_ids INTO ids FROM rollup.posters AS p WHERE p.organization_id = org;
        WITH known AS (
            SELECT s.id, s.ordinal FROM unnest(coalesce(ids, '{}')) WITH ORDINALITY AS s (id, ordinal)
        ),
        gone AS (
            SELECT convert_from(c.entity, 'UTF8') AS id
            FROM unnest(posters) AS c (entity)
            WHERE NOT EXISTS (SELECT FROM rollup.entity_days AS e
                              WHERE e.organization_id = org AND e.kind = 'poster' AND e.entity = c.entity)
        )
        SELECT ARRAY(SELECT CASE WHEN k.id IN (SELECT g.id FROM gone AS g) THEN NULL ELSE k.id END FROM known AS k ORDER BY k.ordinal)
               || ARRAY(SELECT DISTINCT p.ambassador_id FROM rollup.poster_days AS p
                        WHERE p.organization_id = org AND p.day >= since
                          AND p.ambassador_id NOT IN (SELECT k.id FROM known AS k WHERE k.id IS NOT NULL)
                        ORDER BY p.ambassador_id)
        INTO ids;
        PERFORM rollup.save_posters(org, ids);

        SELECT c.content_ids INTO items FROM rollup.contents AS c WHERE c.organization_id = org;
        items := coalesce(items, '{}') || ARRAY(
            SELECT DISTINCT c.content_id FROM rollup.content_days AS c
            WHERE c.organization_id = org AND c.day >= since
              AND c.content_id NOT IN (SELECT s.id FROM unnest(coalesce(items, '{}')) AS s (id))
            ORDER BY c.content_id);
        INSERT INTO rollup.contents (organization_id, content_ids) VALUES (org, items)
        ON CONFLICT (organization_id) DO UPDATE SET content_ids = excluded.content_ids;

        DELETE FROM rollup.posts_through WHERE organization_id = org AND day >= since;
        DELETE FROM rollup.network_posts_through WHERE organization_id = org AND day >= since;
        DELETE FROM rollup.content_through WHERE organization_id = org AND day >= since;
        SELECT x.posts, x.impressions, x.engagements INTO run_posts, run_impressions, run_engagements
        FROM rollup.posts_through AS x WHERE x.organization_id = org AND x.day < since ORDER BY x.day DESC LIMIT 1;
        SELECT x.shares, x.impressions, x.engagements INTO run_shares, run_content_impressions, run_content_engagements
        FROM rollup.content_through AS x WHERE x.organization_id = org AND x.day < since ORDER BY x.day DESC LIMIT 1;
        -- The posting days are the days with posts in rollup.daily (one primary-key range). The running
        -- arrays are variables: a subscript of a flat integer array is a direct read.
        FOR d IN SELECT r.day FROM rollup.daily AS r WHERE r.organization_id = org AND r.day >= since AND r.posts > 0 ORDER BY r.day
        LOOP
            WITH today AS (
                SELECT s.ordinal, sum(p.posts) AS posts, sum(p.impressions) AS impressions, sum(p.engagements) AS engagements
                FROM rollup.poster_days AS p
                JOIN unnest(ids) WITH ORDINALITY AS s (id, ordinal) ON s.id = p.ambassador_id
                WHERE p.organization_id = org AND p.day = d
                GROUP BY s.ordinal
            )
            SELECT coalesce(array_agg(coalesce(run_posts[i], 0) + coalesce(t.posts, 0) ORDER BY i), '{}'),
                   coalesce(array_agg(coalesce(run_impressions[i], 0) + coalesce(t.impressions, 0) ORDER BY i), '{}'),
                   coalesce(array_agg(coalesce(run_engagements[i], 0) + coalesce(t.engagements, 0) ORDER BY i), '{}')
            INTO run_posts, run_impressions, run_engagements
            FROM generate_series(1, cardinality(ids)) AS i
            LEFT JOIN today AS t ON t.ordinal = i;
            INSERT INTO rollup.posts_through (organization_id, day, posts, impressions, engagements)
            VALUES (org, d, run_posts, run_impressions, run_engagements);

            FOR n IN SELECT DISTINCT p.network FROM rollup.poster_days AS p WHERE p.organization_id = org AND p.day = d
            LOOP
                SELECT x.posts INTO run_network_posts
                FROM rollup.network_posts_through AS x
                WHERE x.organization_id = org AND x.network = n AND x.day < d ORDER BY x.day DESC LIMIT 1;
                INSERT INTO rollup.network_posts_through (organization_id, network, day, posts)
                SELECT org, n, d, coalesce(array_agg(coalesce(run_network_posts[i], 0) + coalesce(t.posts, 0) ORDER BY i), '{}')
                FROM generate_series(1, cardinality(ids)) AS i
                LEFT JOIN (
                    SELECT s.ordinal, p.posts
                    FROM rollup.poster_days AS p
                    JOIN unnest(ids) WITH ORDINALITY AS s (id, ordinal) ON s.id = p.ambassador_id
                    WHERE p.organization_id = org AND p.day = d AND p.network = n
                ) AS t ON t.ordinal = i;
            END LOOP;

            WITH today AS (
                SELECT s.ordinal, c.shares, c.impressions, c.engagements
                FROM rollup.content_days AS c
                JOIN unnest(items) WITH ORDINALITY AS s (id, ordinal) ON s.id = c.content_id
                WHERE c.organization_id = org AND c.day = d
            )
            SELECT coalesce(array_agg(coalesce(run_shares[i], 0) + coalesce(t.shares, 0) ORDER BY i), '{}'),
                   coalesce(array_agg(coalesce(run_content_impressions[i], 0) + coalesce(t.impressions, 0) ORDER BY i), '{}'),
                   coalesce(array_agg(coalesce(run_content_engagements[i], 0) + coalesce(t.engagements, 0) ORDER BY i), '{}')
            INTO run_shares, run_content_impressions, run_content_engagements
            FROM generate_series(1, cardinality(items)) AS i
            LEFT JOIN today AS t ON t.ordinal = i;
            INSERT INTO rollup.content_through (organization_id, day, shares, impressions, engagements)
            VALUES (org, d, run_shares, run_content_impressions, run_content_engagements);
        END LOOP;
    END
    $$;

-- As in 0010, plus each recomputed day's numbers per entity and SSI spans, the cumulative rows rebuilt from
-- the first day whose numbers per entity changed, and the day -infinity read as a change of the ambassadors
-- (enrolment dates, teams).
CREATE OR REPLACE FUNCTION rollup.maintain(org uuid, from_date date DEFAULT NULL, to_date date DEFAULT NULL, max_days integer DEFAULT 8,
                                           wait boolean DEFAULT false) RETURNS integer
    LANGUAGE plpgsql
    AS $$
    DECLARE
        lock_key CONSTANT bigint := hashtextextended('rollup:' || org::text, 0);
        batch date[];
        d date;
        posters bytea[] := '{}';
        since date;
        ambassadors_changed boolean := false;
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
                IF d = '-infinity' THEN
                    ambassadors_changed := true;
                ELSE
                    posters := posters || rollup.recompute_day(org, d);
                    IF rollup.recompute_post_days(org, d) THEN
                        since := least(since, d);
                    END IF;
                    PERFORM rollup.recompute_ssi_spans(org, d);
                END IF;
            END LOOP;
            done := done + cardinality(batch);
        END LOOP;
        IF since IS NOT NULL THEN
            PERFORM rollup.rebuild_through(org, since, ARRAY(SELECT DISTINCT p FROM unnest(posters) AS p));
        ELSIF ambassadors_changed THEN
            PERFORM rollup.save_posters(org, p.ambassador_ids) FROM rollup.posters AS p WHERE p.organization_id = org;
        END IF;
        RETURN done;
    END
    $$;

-- ---------------------------------------------------------------------------------------------------------
-- Reading a period.

-- Each ambassador's posts in [from, to], with the enrolment date.
DROP FUNCTION rollup.posts_per_ambassador(uuid, date, date);
CREATE FUNCTION rollup.posts_per_ambassador(org uuid, from_date date, to_date date)
    RETURNS TABLE (ambassador_id text, posts integer, enrolled_at timestamptz)
    LANGUAGE sql STABLE
    AS $$
        SELECT u.id, u.through_to - coalesce(u.before_from, 0), u.enrolled_at
        FROM rollup.posters AS p,
             unnest(
                 p.ambassador_ids, p.enrolled_at,
                 (SELECT t.posts FROM rollup.posts_through AS t
                  WHERE t.organization_id = org AND t.day <= to_date ORDER BY t.day DESC LIMIT 1),
                 (SELECT t.posts FROM rollup.posts_through AS t
                  WHERE t.organization_id = org AND t.day < from_date ORDER BY t.day DESC LIMIT 1)
             ) AS u (id, enrolled_at, through_to, before_from)
        WHERE p.organization_id = org AND u.through_to > coalesce(u.before_from, 0)
    $$;

-- Each ambassador's posts, impressions and engagements of the posts published in [from, to], with the team.
CREATE FUNCTION rollup.ambassador_totals(org uuid, from_date date, to_date date)
    RETURNS TABLE (ambassador_id text, team text, posts bigint, impressions bigint, engagements bigint)
    LANGUAGE sql STABLE
    AS $$
        SELECT u.id, u.team, u.posts - coalesce(u.posts_before, 0), u.impressions - coalesce(u.impressions_before, 0),
               u.engagements - coalesce(u.engagements_before, 0)
        FROM rollup.posters AS p
        LEFT JOIN rollup.posts_through AS t
               ON t.organization_id = org
              AND t.day = (SELECT max(x.day) FROM rollup.posts_through AS x WHERE x.organization_id = org AND x.day <= to_date)
        LEFT JOIN rollup.posts_through AS f
               ON f.organization_id = org
              AND f.day = (SELECT max(x.day) FROM rollup.posts_through AS x WHERE x.organization_id = org AND x.day < from_date)
        CROSS JOIN LATERAL unnest(p.ambassador_ids, p.teams, t.posts, t.impressions, t.engagements, f.posts, f.impressions,
                                  f.engagements)
            AS u (id, team, posts, impressions, engagements, posts_before, impressions_before, engagements_before)
        WHERE p.organization_id = org AND u.posts > coalesce(u.posts_before, 0)
    $$;

-- Each content item's shares, impressions and engagements of the posts published in [from, to].
CREATE FUNCTION rollup.content_totals(org uuid, from_date date, to_date date)
    RETURNS TABLE (content_id text, shares bigint, impressions bigint, engagements bigint)
    LANGUAGE sql STABLE
    AS $$
        SELECT u.id, u.shares - coalesce(u.shares_before, 0), u.impressions - coalesce(u.impressions_before, 0),
               u.engagements - coalesce(u.engagements_before, 0)
        FROM rollup.contents AS c
        LEFT JOIN rollup.content_through AS t
               ON t.organization_id = org
              AND t.day = (SELECT max(x.day) FROM rollup.content_through AS x WHERE x.organization_id = org AND x.day <= to_date)
        LEFT JOIN rollup.content_through AS f
               ON f.organization_id = org
              AND f.day = (SELECT max(x.day) FROM rollup.content_through AS x WHERE x.organization_id = org AND x.day < from_date)
        CROSS JOIN LATERAL unnest(c.content_ids, t.shares, t.impressions, t.engagements, f.shares, f.impressions, f.engagements)
            AS u (id, shares, impressions, engagements, shares_before, impressions_before, engagements_before)
        WHERE c.organization_id = org AND u.shares > coalesce(u.shares_before, 0)
    $$;

-- Each network's posts, active ambassadors, impressions, engagements and EMV (unrounded) in [from, to].
CREATE FUNCTION rollup.network_totals(org uuid, from_date date, to_date date)
    RETURNS TABLE (network text, posts bigint, active_ambassadors bigint, impressions bigint, engagements bigint, emv numeric)
    LANGUAGE sql STABLE
    AS $$
        SELECT s.network, s.posts, a.active, s.impressions, s.engagements, s.emv
        FROM (
            SELECT d.network, sum(d.posts)::bigint AS posts, sum(d.impressions)::bigint AS impressions,
                   sum(d.engagements)::bigint AS engagements, sum(d.emv) AS emv
            FROM rollup.network_days AS d
            WHERE d.organization_id = org AND d.day BETWEEN from_date AND to_date
            GROUP BY d.network
        ) AS s
        CROSS JOIN LATERAL (
            SELECT count(*) AS active
            FROM unnest(
                (SELECT x.posts FROM rollup.network_posts_through AS x
                 WHERE x.organization_id = org AND x.network = s.network AND x.day <= to_date ORDER BY x.day DESC LIMIT 1),
                (SELECT x.posts FROM rollup.network_posts_through AS x
                 WHERE x.organization_id = org AND x.network = s.network AND x.day < from_date ORDER BY x.day DESC LIMIT 1)
            ) AS u (through_to, before_from)
            WHERE u.through_to > coalesce(u.before_from, 0)
        ) AS a
    $$;

-- As in 0010, three things cheaper: the end of the period computed once (not per ambassador), the active
-- ambassadors without a join (the posters' enrolment dates come with their counts), and the medians of
-- days to hire over plain unnests.
CREATE OR REPLACE FUNCTION kpi.rollup_totals(org uuid, from_date date, to_date date) RETURNS kpi.totals
    LANGUAGE sql STABLE
    AS $$
    WITH bounds AS MATERIALIZED (
        SELECT ((to_date + 1)::timestamp AT TIME ZONE o.time_zone) AS ends_at
        FROM core.organizations AS o
        WHERE o.organization_id = org
    ),
    enrolled_at_end AS (
        SELECT count(*) AS ambassadors
        FROM bounds AS b
        JOIN core.ambassadors AS a
          ON a.organization_id = org AND a.enrolled_at < b.ends_at AND (a.left_at IS NULL OR a.left_at >= b.ends_at)
    ),
    activity AS (
        SELECT count(*) AS active,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY p.posts) AS median_posts,
               percentile_cont(0.9) WITHIN GROUP (ORDER BY p.posts) AS p90_posts
        FROM bounds AS b, rollup.posts_per_ambassador(org, from_date, to_date) AS p
        WHERE p.enrolled_at < b.ends_at
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
        SELECT (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY x)::numeric, 1)
                FROM rollup.daily AS d, unnest(d.advocacy_days_to_hire) AS x
                WHERE d.organization_id = org AND d.day BETWEEN from_date AND to_date) AS advocacy_days,
               (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY x)::numeric, 1)
                FROM rollup.daily AS d, unnest(d.other_days_to_hire) AS x
                WHERE d.organization_id = org AND d.day BETWEEN from_date AND to_date) AS other_days
    )
    SELECT ROW(a.active, a.median_posts, a.p90_posts, e.ambassadors,
               d.posts, d.shares, content.seen, d.impressions, d.members_reached, d.engagements,
               d.potential_reach, d.posts_without_count,
               d.impressions_value, d.clicks_value, d.engagement_value, d.unpriced_posts, kpi.period_cost(org, from_date, to_date),
               members.first_seen, members.seen, s.ambassadors, s.average, s.above_75,
               d.visits, d.advocacy_visits, visitors.seen, d.careers_advocacy_visits,
               d.advocacy_leads, d.advocacy_won, d.other_leads, d.other_won, d.estimated_value, d.won_value,
               d.advocacy_applications, d.advocacy_hired, d.other_applications, d.other_hired, h.advocacy_days, h.other_days
           )::kpi.totals
    FROM activity AS a, enrolled_at_end AS e, days AS d, hires AS h, ssi AS s,
         rollup.distinct_entities(org, 'content', from_date, to_date) AS content,
         rollup.distinct_entities(org, 'member', from_date, to_date) AS members,
         rollup.distinct_entities(org, 'visitor', from_date, to_date) AS visitors
    $$;

-- As in 0010, forgetting every table of the schema (the new ones too, and any to come).
CREATE OR REPLACE FUNCTION rollup.rebuild(org uuid) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
    DECLARE
        kept regclass;
        zone text;
        first_day date;
        last_day date;
        queued bigint;
    BEGIN
        PERFORM pg_advisory_xact_lock(hashtextextended('rollup:' || org::text, 0));
        FOR kept IN SELECT c.oid::regclass FROM pg_catalog.pg_class AS c
                    WHERE c.relnamespace = 'rollup'::regnamespace AND c.relkind = 'r'
        LOOP
            EXECUTE format('DELETE FROM %s WHERE organization_id = $1', kept) USING org;
        END LOOP;
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

-- ---------------------------------------------------------------------------------------------------------
-- The leaderboards and the breakdown by network read the rollups when no filter is given; with filters
-- (which select posts by their ambassador's team, their content's campaign...) they read the posts, as
-- before: the functions of 0005 and 0009 are kept as the *_raw reference.

ALTER FUNCTION kpi.ambassador_leaderboard(uuid, date, date, text, text, text, text, text, text) RENAME TO ambassador_leaderboard_raw;
ALTER FUNCTION kpi.post_breakdown(uuid, date, date, text, text, text, text, text, text) RENAME TO post_breakdown_raw;
DROP FUNCTION kpi.content_leaderboard(uuid, date, date, text, text, text, text, text, text);

CREATE FUNCTION kpi.ambassador_leaderboard(
    org uuid, from_date date, to_date date, ranked_by text DEFAULT 'posts', team_filter text DEFAULT NULL,
    department_filter text DEFAULT NULL, region_filter text DEFAULT NULL, network_filter text DEFAULT NULL,
    campaign_filter text DEFAULT NULL
)
    RETURNS TABLE (rank bigint, ambassador_id text, team text, posts bigint, impressions bigint, engagements bigint,
                   engagement_rate numeric)
    LANGUAGE plpgsql STABLE
    AS $$
    BEGIN
        IF ranked_by NOT IN ('posts', 'engagement') THEN
            RAISE EXCEPTION 'unknown ranking "%"', ranked_by USING ERRCODE = 'invalid_parameter_value', HINT = 'posts or engagement';
        END IF;
        IF num_nonnulls(team_filter, department_filter, region_filter, network_filter, campaign_filter) > 0 THEN
            RETURN QUERY SELECT * FROM kpi.ambassador_leaderboard_raw(org, from_date, to_date, ranked_by, team_filter,
                                                                      department_filter, region_filter, network_filter, campaign_filter);
            RETURN;
        END IF;
        RETURN QUERY
        SELECT rank() OVER (ORDER BY CASE WHEN ranked_by = 'posts' THEN t.posts ELSE t.engagements END DESC),
               t.ambassador_id, t.team, t.posts, t.impressions, t.engagements, round(t.engagements::numeric / nullif(t.impressions, 0), 6)
        FROM rollup.ambassador_totals(org, from_date, to_date) AS t
        ORDER BY 1, t.ambassador_id;
    END
    $$;

-- Content ranked by shares (posts sharing it) or by engagement rate in a period, as in 0005 without the
-- distinct ambassadors: each item's numbers from the rollups, or (from_rollups false) from the filtered
-- posts; one ranking for both. The title and campaign are the item's current ones.
CREATE FUNCTION kpi.content_ranking(
    org uuid, from_date date, to_date date, ranked_by text, team_filter text, department_filter text, region_filter text,
    network_filter text, campaign_filter text, from_rollups boolean
)
    RETURNS TABLE (rank bigint, content_id text, title text, campaign text, shares bigint, impressions bigint, engagements bigint,
                   engagement_rate numeric)
    LANGUAGE plpgsql STABLE
    AS $$
    BEGIN
        IF ranked_by NOT IN ('shares', 'engagement_rate') THEN
            RAISE EXCEPTION 'unknown ranking "%"', ranked_by USING ERRCODE = 'invalid_parameter_value', HINT = 'shares or engagement_rate';
        END IF;
        RETURN QUERY
        WITH per_content AS (
            SELECT t.content_id, t.shares, t.impressions, t.engagements
            FROM rollup.content_totals(org, from_date, to_date) AS t
            WHERE from_rollups
            UNION ALL
            SELECT f.content_id, count(*), sum(f.impressions)::bigint, sum(f.engagements)::bigint
            FROM kpi.filtered_posts(org, from_date, to_date, team_filter, department_filter, region_filter, network_filter,
                                    campaign_filter) AS f
            WHERE NOT from_rollups AND f.content_id IS NOT NULL
            GROUP BY f.content_id
        )
        SELECT rank() OVER (ORDER BY CASE WHEN ranked_by = 'shares' THEN p.shares::numeric
                                          ELSE coalesce(p.engagements::numeric / nullif(p.impressions, 0), -1) END DESC),
               p.content_id, c.title, c.campaign, p.shares, p.impressions, p.engagements,
               round(p.engagements::numeric / nullif(p.impressions, 0), 6)
        FROM per_content AS p
        LEFT JOIN core.content_items AS c ON c.organization_id = org AND c.content_id = p.content_id
        ORDER BY 1, p.content_id;
    END
    $$;

-- From the rollups when no filter is given.
CREATE FUNCTION kpi.content_leaderboard(
    org uuid, from_date date, to_date date, ranked_by text DEFAULT 'shares', team_filter text DEFAULT NULL,
    department_filter text DEFAULT NULL, region_filter text DEFAULT NULL, network_filter text DEFAULT NULL,
    campaign_filter text DEFAULT NULL
)
    RETURNS TABLE (rank bigint, content_id text, title text, campaign text, shares bigint, impressions bigint, engagements bigint,
                   engagement_rate numeric)
    LANGUAGE sql STABLE
    AS $$
        SELECT * FROM kpi.content_ranking(org, from_date, to_date, ranked_by, team_filter, department_filter, region_filter,
                                          network_filter, campaign_filter,
                                          num_nonnulls(team_filter, department_filter, region_filter, network_filter, campaign_filter) = 0)
    $$;

-- Always from the posts: the reference.
CREATE FUNCTION kpi.content_leaderboard_raw(
    org uuid, from_date date, to_date date, ranked_by text DEFAULT 'shares', team_filter text DEFAULT NULL,
    department_filter text DEFAULT NULL, region_filter text DEFAULT NULL, network_filter text DEFAULT NULL,
    campaign_filter text DEFAULT NULL
)
    RETURNS TABLE (rank bigint, content_id text, title text, campaign text, shares bigint, impressions bigint, engagements bigint,
                   engagement_rate numeric)
    LANGUAGE sql STABLE
    AS $$
        SELECT * FROM kpi.content_ranking(org, from_date, to_date, ranked_by, team_filter, department_filter, region_filter,
                                          network_filter, campaign_filter, false)
    $$;

-- Posts by team, department, region, network or campaign; by network without filters, from the rollups.
CREATE FUNCTION kpi.post_breakdown(
    org uuid, from_date date, to_date date, dimension text DEFAULT 'team', team_filter text DEFAULT NULL,
    department_filter text DEFAULT NULL, region_filter text DEFAULT NULL, network_filter text DEFAULT NULL,
    campaign_filter text DEFAULT NULL
)
    RETURNS TABLE (value text, posts bigint, active_ambassadors bigint, impressions bigint, engagements bigint,
                   engagement_rate numeric, emv numeric)
    LANGUAGE plpgsql STABLE
    AS $$
    BEGIN
        IF dimension IS DISTINCT FROM 'network'
           OR num_nonnulls(team_filter, department_filter, region_filter, network_filter, campaign_filter) > 0 THEN
            RETURN QUERY SELECT * FROM kpi.post_breakdown_raw(org, from_date, to_date, dimension, team_filter, department_filter,
                                                              region_filter, network_filter, campaign_filter);
            RETURN;
        END IF;
        RETURN QUERY
        SELECT t.network, t.posts, t.active_ambassadors, t.impressions, t.engagements,
               round(t.engagements::numeric / nullif(t.impressions, 0), 6), round(t.emv, 2)
        FROM rollup.network_totals(org, from_date, to_date) AS t
        ORDER BY t.posts DESC, t.network NULLS LAST;
    END
    $$;

DROP FUNCTION rollup.rebuild_ambassador_posts(uuid, bytea[]);
DROP TABLE rollup.ambassador_posts;

-- Enrolment dates and teams, kept by ordinal in rollup.posters: any change queues the day -infinity (see maintain).
SELECT rollup.watch('core.ambassadors', $q$ SELECT r.organization_id, '-infinity'::date FROM $rows AS r $q$);

-- The organisations' rollups so far: each posting day's numbers per entity, then the cumulative rows.
SELECT rollup.recompute_post_days(d.organization_id, d.day) FROM rollup.daily AS d WHERE d.posts > 0;
SELECT rollup.rebuild_through(
           o.organization_id, '-infinity',
           ARRAY(SELECT DISTINCT e.entity FROM rollup.entity_days AS e
                 WHERE e.organization_id = o.organization_id AND e.kind = 'poster'))
FROM core.organizations AS o;

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

-- The spans of day d's snapshots; then the ends of every span of the ambassadors with a snapshot that
-- appeared or went away on d, from their snapshots in order (a few dozen rows an ambassador).
CREATE FUNCTION rollup.recompute_ssi_spans(org uuid, d date) RETURNS void
    LANGUAGE plpgsql
    AS $$
    DECLARE
        touched text[];
    BEGIN
        SELECT array_agg(DISTINCT t.ambassador_id) INTO touched
        FROM (
            SELECT s.ambassador_id::text AS ambassador_id FROM fact.ssi_snapshots AS s WHERE s.organization_id = org AND s.snapshot_date = d
            UNION ALL
            SELECT p.ambassador_id FROM rollup.ssi_spans AS p WHERE p.organization_id = org AND p.snapshot_date = d
        ) AS t;
        IF touched IS NULL THEN
            RETURN;
        END IF;
        DELETE FROM rollup.ssi_spans WHERE organization_id = org AND snapshot_date = d;
        INSERT INTO rollup.ssi_spans
        SELECT org, s.ambassador_id, s.snapshot_date, 'infinity', false, s.total_score, s.brand_score, s.people_score, s.insights_score,
               s.relationships_score, s.industry_rank_top_pct, s.network_rank_top_pct
        FROM fact.ssi_snapshots AS s
        WHERE s.organization_id = org AND s.snapshot_date = d;
        UPDATE rollup.ssi_spans AS p
        SET next_date = n.next_date, first_snapshot = n.first_snapshot
        FROM (
            SELECT s.ambassador_id, s.snapshot_date,
                   coalesce(lead(s.snapshot_date) OVER (PARTITION BY s.ambassador_id ORDER BY s.snapshot_date), 'infinity') AS next_date,
                   row_number() OVER (PARTITION BY s.ambassador_id ORDER BY s.snapshot_date) = 1 AS first_snapshot
            FROM fact.ssi_snapshots AS s
            WHERE s.organization_id = org AND s.ambassador_id = ANY (touched)
        ) AS n
        WHERE p.organization_id = org AND p.ambassador_id = ANY (touched)
          AND p.ambassador_id = n.ambassador_id AND p.snapshot_date = n.snapshot_date
          AND (p.next_date, p.first_snapshot) IS DISTINCT FROM (n.next_date, n.first_snapshot);
    END
    $$;

-- 0004's definition, kept as the reference the tests compare against.
ALTER FUNCTION kpi.ssi_latest(uuid, date, text) RENAME TO ssi_latest_raw;

-- Each ambassador's latest snapshot on or before a date, optionally for one team: the spans in force.
CREATE FUNCTION kpi.ssi_latest(org uuid, at date, team_filter text DEFAULT NULL)
    RETURNS TABLE (ambassador_id text, team text, snapshot_date date, total_score numeric, brand_score numeric,
                   people_score numeric, insights_score numeric, relationships_score numeric,
                   industry_rank_top_pct numeric, network_rank_top_pct numeric)
    LANGUAGE sql STABLE
    AS $$
        SELECT s.ambassador_id, a.team, s.snapshot_date, s.total_score, s.brand_score, s.people_score, s.insights_score,
               s.relationships_score, s.industry_rank_top_pct, s.network_rank_top_pct
        FROM rollup.ssi_spans AS s
        LEFT JOIN core.ambassadors AS a ON a.organization_id = org AND a.ambassador_id = s.ambassador_id
        WHERE s.organization_id = org AND s.snapshot_date <= at AND s.next_date > at
          AND (team_filter IS NULL OR a.team = team_filter)
    $$;

-- As in 0004, with the score at the start from the spans: the snapshot in force then, or for an ambassador
-- who had none yet, the first one after, which is their first.
CREATE OR REPLACE FUNCTION kpi.ssi_most_improved(org uuid, from_date date, to_date date, team_filter text DEFAULT NULL)
    RETURNS TABLE (rank bigint, ambassador_id text, team text, gain numeric, score_from numeric, score_to numeric)
    LANGUAGE sql STABLE
    AS $$
        WITH ending AS (SELECT * FROM kpi.ssi_latest(org, to_date, team_filter) AS e WHERE e.snapshot_date >= from_date),
        starting AS (
            SELECT e.ambassador_id, coalesce(s.total_score, f.total_score) AS score
            FROM ending AS e
            LEFT JOIN kpi.ssi_latest(org, from_date) AS s USING (ambassador_id)
            LEFT JOIN rollup.ssi_spans AS f ON f.organization_id = org AND f.ambassador_id = e.ambassador_id AND f.first_snapshot
        )
        SELECT rank() OVER (ORDER BY e.total_score - s.score DESC), e.ambassador_id, e.team, e.total_score - s.score,
               s.score, e.total_score
        FROM ending AS e
        JOIN starting AS s USING (ambassador_id)
        ORDER BY 1, e.ambassador_id
    $$;

-- As in 0004, the trend computed for the ambassadors with a goal only.
CREATE OR REPLACE FUNCTION kpi.ssi_goal_progress(org uuid, at date)
    RETURNS TABLE (ambassador_id text, target_score numeric, target_date date, current_score numeric, progress numeric,
                   trend_per_week numeric, projected_date date, on_track boolean)
    LANGUAGE sql STABLE
    AS $$
        WITH trend AS (
            SELECT s.ambassador_id, count(*) AS points,
                   regr_slope(s.total_score::float8, (s.snapshot_date - at)::float8) AS per_day
            FROM core.ssi_goals AS g
            JOIN fact.ssi_snapshots AS s
              ON s.organization_id = org AND s.ambassador_id = g.ambassador_id AND s.snapshot_date <= at AND s.snapshot_date > at - 90
            WHERE g.organization_id = org
            GROUP BY s.ambassador_id
        )
        SELECT g.ambassador_id, g.target_score, g.target_date, l.total_score,
               round(least(l.total_score / g.target_score, 1), 4),
               round((t.per_day * 7)::numeric, 2),
               CASE
                   WHEN l.total_score >= g.target_score THEN l.snapshot_date
                   WHEN t.points >= 3 AND t.per_day > 0
                       THEN at + ceil((g.target_score - l.total_score) / t.per_day::numeric)::integer
               END,
               l.total_score >= g.target_score
                   OR (t.points >= 3 AND t.per_day > 0
                       AND at + ceil((g.target_score - l.total_score) / t.per_day::numeric)::integer <= g.target_date)
        FROM core.ssi_goals AS g
        LEFT JOIN kpi.ssi_latest(org, at) AS l USING (ambassador_id)
        LEFT JOIN trend AS t USING (ambassador_id)
        WHERE g.organization_id = org
        ORDER BY g.ambassador_id
    $$;

-- The snapshots so far, each with its successor's date.
INSERT INTO rollup.ssi_spans
SELECT s.organization_id, s.ambassador_id, s.snapshot_date,
       coalesce(lead(s.snapshot_date) OVER (PARTITION BY s.organization_id, s.ambassador_id ORDER BY s.snapshot_date), 'infinity'),
       row_number() OVER (PARTITION BY s.organization_id, s.ambassador_id ORDER BY s.snapshot_date) = 1, s.total_score, s.brand_score, s.people_score, s.insights_score, s.relationships_score,
       s.industry_rank_top_pct, s.network_rank_top_pct
FROM fact.ssi_snapshots AS s;

-- ---------------------------------------------------------------------------------------------------------
-- Deleting an organisation waits for its rollup maintainer (and a maintainer that comes after finds nothing
-- queued), so that maintenance never writes rows for an organisation that is gone. The rest as in 0010.

CREATE OR REPLACE FUNCTION core.delete_organization(organization uuid) RETURNS void
    LANGUAGE plpgsql
    AS $$
    DECLARE
        keyed regclass;
    BEGIN
        PERFORM pg_advisory_xact_lock(hashtextextended('rollup:' || organization::text, 0));
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
-- Tenancy and rights, as in 0010.

DO $$
DECLARE
    keyed regclass;
BEGIN
    FOREACH keyed IN ARRAY ARRAY['rollup.poster_days', 'rollup.content_days', 'rollup.network_days', 'rollup.posters',
                                 'rollup.contents', 'rollup.posts_through', 'rollup.network_posts_through',
                                 'rollup.content_through', 'rollup.ssi_spans']::regclass[]
    LOOP
        EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', keyed);
        EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', keyed);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %s USING (organization_id = core.current_organization()) '
            'WITH CHECK (organization_id = core.current_organization())', keyed);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO advocacy_service', keyed);
        EXECUTE format('GRANT SELECT ON %s TO advocacy_reader', keyed);
    END LOOP;
END
$$;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA rollup TO advocacy_service;
GRANT EXECUTE ON FUNCTION rollup.posts_per_ambassador(uuid, date, date), rollup.ambassador_totals(uuid, date, date),
                          rollup.content_totals(uuid, date, date), rollup.network_totals(uuid, date, date)
    TO advocacy_reader;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA kpi TO advocacy_service, advocacy_reader;

-- Statistics now, so the first reads are planned on them.
ANALYZE rollup.poster_days, rollup.content_days, rollup.network_days, rollup.posts_through, rollup.network_posts_through,
        rollup.content_through, rollup.ssi_spans;
