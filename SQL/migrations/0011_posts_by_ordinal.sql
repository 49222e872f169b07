-- 0011: posts per ambassador of any period from three array reads, whatever the number of ambassadors.
--
-- 0010 kept one compressed array of cumulative posts per ambassador: a period read every ambassador's row,
-- decompressed it twice and joined it, about 12 ms a period at 5,000 ambassadors. Now each ambassador who
-- ever posted has an ordinal (a position in rollup.posters.ambassador_ids), and rollup.posts_through keeps,
-- for each day with a post, everyone's cumulative posts by ordinal. Posts in [from, to] = the row of the last
-- posting day <= to minus the row of the last posting day < from, element by element. The posters' enrolment
-- dates are kept by ordinal beside their ids, so that keeping the enrolled ones needs no join: a change of
-- core.ambassadors queues the day -infinity, which maintain reads as "refresh the enrolment dates".

CREATE TABLE rollup.posters (
    organization_id uuid PRIMARY KEY REFERENCES core.organizations ON DELETE CASCADE,
    -- Position = ordinal. A poster whose posts are all gone (erased, deleted) leaves a NULL: the other
    -- ordinals stay put, and its counts are zero in every row.
    ambassador_ids  text[] NOT NULL,
    -- enrolled_at[i]: when ambassador_ids[i] enrolled (NULL: unknown ambassador, or no date).
    enrolled_at     timestamptz[] NOT NULL,
    CHECK (cardinality(enrolled_at) = cardinality(ambassador_ids))
);

CREATE TABLE rollup.posts_through (
    organization_id uuid NOT NULL REFERENCES core.organizations ON DELETE CASCADE,
    day             date NOT NULL,
    -- cumulative[i]: posts of ambassador_ids[i] on days <= day (shorter arrays: later ordinals have none).
    cumulative      integer[] NOT NULL,
    PRIMARY KEY (organization_id, day)
);

-- The enrolment dates of some ambassadors, in the same order (NULL for an unknown one).
CREATE FUNCTION rollup.enrolment_dates(org uuid, ids text[]) RETURNS timestamptz[]
    LANGUAGE sql STABLE
    AS $$
        SELECT ARRAY(
            SELECT a.enrolled_at
            FROM unnest(ids) WITH ORDINALITY AS s (id, ordinal)
            LEFT JOIN core.ambassadors AS a ON a.organization_id = org AND a.ambassador_id = s.id
            ORDER BY s.ordinal
        )
    $$;

-- Rebuilds rollup.posts_through from day `since` on, after rollup.recompute_day changed the posters of some
-- days >= since (`posters`: the ambassadors whose days changed). Each row is the row before plus its day's
-- posts, so the rows before `since`, whose days did not change, are kept. Runs under maintain's lock.
CREATE FUNCTION rollup.rebuild_posts_through(org uuid, since date, posters bytea[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
    DECLARE
        ids text[];
        running integer[];
        d date;
    BEGIN
        SELECT p.ambassador_ids INTO ids FROM rollup.posters AS p WHERE p.organization_id = org;
        WITH changed AS (
            SELECT DISTINCT convert_from(c.entity, 'UTF8') AS id,
                   EXISTS (SELECT FROM rollup.entity_days AS e
                           WHERE e.organization_id = org AND e.kind = 'poster' AND e.entity = c.entity) AS posting
            FROM unnest(posters) AS c (entity)
        ),
        known AS (
            SELECT s.id, s.ordinal FROM unnest(coalesce(ids, '{}')) WITH ORDINALITY AS s (id, ordinal)
        )
        SELECT ARRAY(
                   SELECT CASE WHEN k.id IN (SELECT c.id FROM changed AS c WHERE NOT c.posting) THEN NULL ELSE k.id END
                   FROM known AS k ORDER BY k.ordinal
               )
               || ARRAY(
                   SELECT c.id FROM changed AS c
                   WHERE c.posting AND c.id NOT IN (SELECT k.id FROM known AS k WHERE k.id IS NOT NULL)
                   ORDER BY c.id
               )
        INTO ids;
        INSERT INTO rollup.posters (organization_id, ambassador_ids, enrolled_at) VALUES (org, ids, rollup.enrolment_dates(org, ids))
        ON CONFLICT (organization_id) DO UPDATE SET ambassador_ids = excluded.ambassador_ids, enrolled_at = excluded.enrolled_at;

        DELETE FROM rollup.posts_through WHERE organization_id = org AND day >= since;
        SELECT t.cumulative INTO running
        FROM rollup.posts_through AS t
        WHERE t.organization_id = org AND t.day < since
        ORDER BY t.day DESC LIMIT 1;
        -- The posting days are the days with posts in rollup.daily (one primary-key range).
        FOR d IN SELECT r.day FROM rollup.daily AS r WHERE r.organization_id = org AND r.day >= since AND r.posts > 0 ORDER BY r.day
        LOOP
            SELECT coalesce(array_agg(coalesce(b.posts, 0) + coalesce(p.facts, 0) ORDER BY s.ordinal), '{}') INTO running
            FROM unnest(ids) WITH ORDINALITY AS s (id, ordinal)
            LEFT JOIN unnest(running) WITH ORDINALITY AS b (posts, ordinal) ON b.ordinal = s.ordinal
            LEFT JOIN rollup.entity_days AS p
                   ON p.day = d AND p.organization_id = org AND p.kind = 'poster' AND p.entity = convert_to(s.id, 'UTF8');
            INSERT INTO rollup.posts_through (organization_id, day, cumulative) VALUES (org, d, running);
        END LOOP;
    END
    $$;

-- As in 0010, with the posters of the recomputed days passed on to rollup.rebuild_posts_through from the
-- first day whose posters changed, and the day -infinity read as a change of enrolment.
CREATE OR REPLACE FUNCTION rollup.maintain(org uuid, from_date date DEFAULT NULL, to_date date DEFAULT NULL, max_days integer DEFAULT 8,
                                           wait boolean DEFAULT false) RETURNS integer
    LANGUAGE plpgsql
    AS $$
    DECLARE
        lock_key CONSTANT bigint := hashtextextended('rollup:' || org::text, 0);
        batch date[];
        d date;
        changed bytea[];
        posters bytea[] := '{}';
        since date;
        enrolment_changed boolean := false;
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
                    enrolment_changed := true;
                    CONTINUE;
                END IF;
                changed := rollup.recompute_day(org, d);
                IF cardinality(changed) > 0 THEN
                    posters := posters || changed;
                    since := least(since, d);
                END IF;
            END LOOP;
            done := done + cardinality(batch);
        END LOOP;
        IF since IS NOT NULL THEN
            PERFORM rollup.rebuild_posts_through(org, since, posters);
        ELSIF enrolment_changed THEN
            UPDATE rollup.posters SET enrolled_at = rollup.enrolment_dates(org, ambassador_ids) WHERE organization_id = org;
        END IF;
        RETURN done;
    END
    $$;

-- Each ambassador's posts in [from, to], with the enrolment date: three rows read, one array walk.
DROP FUNCTION rollup.posts_per_ambassador(uuid, date, date);
CREATE FUNCTION rollup.posts_per_ambassador(org uuid, from_date date, to_date date)
    RETURNS TABLE (ambassador_id text, posts integer, enrolled_at timestamptz)
    LANGUAGE sql STABLE
    AS $$
        SELECT u.id, coalesce(u.through_to, 0) - coalesce(u.before_from, 0), u.enrolled_at
        FROM rollup.posters AS p,
             unnest(
                 p.ambassador_ids, p.enrolled_at,
                 (SELECT t.cumulative FROM rollup.posts_through AS t
                  WHERE t.organization_id = org AND t.day <= to_date ORDER BY t.day DESC LIMIT 1),
                 (SELECT t.cumulative FROM rollup.posts_through AS t
                  WHERE t.organization_id = org AND t.day < from_date ORDER BY t.day DESC LIMIT 1)
             ) AS u (id, enrolled_at, through_to, before_from)
        WHERE p.organization_id = org AND coalesce(u.through_to, 0) > coalesce(u.before_from, 0)
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

DROP FUNCTION rollup.rebuild_ambassador_posts(uuid, bytea[]);
DROP TABLE rollup.ambassador_posts;

-- Tenancy and rights, as in 0010.
ALTER TABLE rollup.posters ENABLE ROW LEVEL SECURITY;
ALTER TABLE rollup.posters FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rollup.posters
    USING (organization_id = core.current_organization()) WITH CHECK (organization_id = core.current_organization());
ALTER TABLE rollup.posts_through ENABLE ROW LEVEL SECURITY;
ALTER TABLE rollup.posts_through FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rollup.posts_through
    USING (organization_id = core.current_organization()) WITH CHECK (organization_id = core.current_organization());
GRANT SELECT, INSERT, UPDATE, DELETE ON rollup.posters, rollup.posts_through TO advocacy_service;
GRANT SELECT ON rollup.posters, rollup.posts_through TO advocacy_reader;
GRANT EXECUTE ON FUNCTION rollup.rebuild_posts_through(uuid, date, bytea[]), rollup.enrolment_dates(uuid, text[]) TO advocacy_service;
GRANT EXECUTE ON FUNCTION rollup.posts_per_ambassador(uuid, date, date) TO advocacy_service, advocacy_reader;

-- Enrolment dates, kept by ordinal in rollup.posters: any change queues the day -infinity (see maintain).
SELECT rollup.watch('core.ambassadors', $q$ SELECT r.organization_id, '-infinity'::date FROM $rows AS r $q$);

-- The organisations' rollups so far: their posters from the start.
SELECT rollup.rebuild_posts_through(
           o.organization_id, '-infinity',
           ARRAY(SELECT DISTINCT e.entity FROM rollup.entity_days AS e
                 WHERE e.organization_id = o.organization_id AND e.kind = 'poster'))
FROM core.organizations AS o;
