-- 0012: each ambassador's SSI at a date from one index probe, not from a sort of every snapshot.
--
-- "An ambassador's SSI at a date" is their latest snapshot on or before it (0004). 0004 found it with a
-- DISTINCT ON over every snapshot up to the date: 200,000 rows sorted for each average, band count,
-- leaderboard and most improved at 10 million facts, more than a second a page. rollup.ssi_spans keeps each
-- snapshot with the day its successor starts; the snapshots in force at a date are the spans containing it.
-- Spans are kept by rollup.maintain with the other rollups: a snapshot's day is queued by the watcher of 0010
-- (with its ambassador's next snapshot day).

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

-- As in 0011, with the SSI spans of each recomputed day.
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
                    PERFORM rollup.recompute_post_days(org, d);
                    PERFORM rollup.recompute_ssi_spans(org, d);
                    since := least(since, d);
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

ALTER TABLE rollup.ssi_spans ENABLE ROW LEVEL SECURITY;
ALTER TABLE rollup.ssi_spans FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rollup.ssi_spans
    USING (organization_id = core.current_organization()) WITH CHECK (organization_id = core.current_organization());
GRANT SELECT, INSERT, UPDATE, DELETE ON rollup.ssi_spans TO advocacy_service;
GRANT SELECT ON rollup.ssi_spans TO advocacy_reader;
GRANT EXECUTE ON FUNCTION rollup.recompute_ssi_spans(uuid, date) TO advocacy_service;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA kpi TO advocacy_service, advocacy_reader;

-- The snapshots so far, each with its successor's date.
INSERT INTO rollup.ssi_spans
SELECT s.organization_id, s.ambassador_id, s.snapshot_date,
       coalesce(lead(s.snapshot_date) OVER (PARTITION BY s.organization_id, s.ambassador_id ORDER BY s.snapshot_date), 'infinity'),
       row_number() OVER (PARTITION BY s.organization_id, s.ambassador_id ORDER BY s.snapshot_date) = 1, s.total_score, s.brand_score, s.people_score, s.insights_score, s.relationships_score,
       s.industry_rank_top_pct, s.network_rank_top_pct
FROM fact.ssi_snapshots AS s;

-- Statistics now, so the first reads are planned on them.
ANALYZE rollup.ssi_spans;
