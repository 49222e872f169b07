-- 0004: LinkedIn SSI analytics (../shared/KPIS.md, seeds 000 to 003): team and organisation averages at a
-- date, the bands practitioners use, leaderboards, the most improved, and goals with a projected date.
--
-- "An ambassador's SSI at a date" is always their latest snapshot on or before that date.

-- A goal: reach target_score by target_date (e.g. 50 by Christmas, then 75 next summer).
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

-- Each ambassador's latest snapshot on or before a date, optionally for one team.
CREATE FUNCTION kpi.ssi_latest(org uuid, at date, team_filter text DEFAULT NULL)
    RETURNS TABLE (ambassador_id text, team text, snapshot_date date, total_score numeric, brand_score numeric,
                   people_score numeric, insights_score numeric, relationships_score numeric,
                   industry_rank_top_pct numeric, network_rank_top_pct numeric)
    LANGUAGE sql STABLE
    AS $$
        SELECT DISTINCT ON (s.ambassador_id) s.ambassador_id, a.team, s.snapshot_date, s.total_score, s.brand_score,
               s.people_score, s.insights_score, s.relationships_score, s.industry_rank_top_pct, s.network_rank_top_pct
        FROM fact.ssi_snapshots AS s
        LEFT JOIN core.ambassadors AS a ON a.organization_id = s.organization_id AND a.ambassador_id = s.ambassador_id
        WHERE s.organization_id = org AND s.snapshot_date <= at AND (team_filter IS NULL OR a.team = team_filter)
        ORDER BY s.ambassador_id, s.snapshot_date DESC
    $$;

-- Averages at a date, with the change over the last week and the last month.
CREATE FUNCTION kpi.ssi_summary(org uuid, at date, team_filter text DEFAULT NULL)
    RETURNS TABLE (ambassadors bigint, average_total numeric, average_brand numeric, average_people numeric,
                   average_insights numeric, average_relationships numeric, share_above_75 numeric,
                   weekly_change numeric, monthly_change numeric, average_industry_rank_top_pct numeric,
                   average_network_rank_top_pct numeric)
    LANGUAGE sql STABLE
    AS $$
        WITH now AS (SELECT * FROM kpi.ssi_latest(org, at, team_filter)),
             week_ago AS (SELECT avg(total_score) AS average FROM kpi.ssi_latest(org, at - 7, team_filter)),
             month_ago AS (SELECT avg(total_score) AS average FROM kpi.ssi_latest(org, (at - interval '1 month')::date, team_filter))
        SELECT count(*), round(avg(total_score), 2), round(avg(brand_score), 2), round(avg(people_score), 2),
               round(avg(insights_score), 2), round(avg(relationships_score), 2),
               round(count(*) FILTER (WHERE total_score > 75)::numeric / nullif(count(*), 0), 6),
               round(avg(total_score) - (SELECT average FROM week_ago), 2),
               round(avg(total_score) - (SELECT average FROM month_ago), 2),
               round(avg(industry_rank_top_pct), 2), round(avg(network_rank_top_pct), 2)
        FROM now
    $$;

-- How many ambassadors are in each band at a date, with the band's relative post reach.
CREATE FUNCTION kpi.ssi_band_distribution(org uuid, at date, team_filter text DEFAULT NULL)
    RETURNS TABLE (band text, lower_bound numeric, upper_bound numeric, ambassadors bigint, share numeric, relative_reach numeric)
    LANGUAGE sql STABLE
    AS $$
        WITH latest AS (SELECT total_score FROM kpi.ssi_latest(org, at, team_filter))
        SELECT b.band, b.lower_bound, b.upper_bound, count(l.total_score),
               round(count(l.total_score)::numeric / nullif((SELECT count(*) FROM latest), 0), 6), b.relative_reach
        FROM kpi.ssi_bands AS b
        LEFT JOIN latest AS l ON l.total_score >= b.lower_bound AND (b.upper_bound IS NULL OR l.total_score < b.upper_bound)
        GROUP BY b.ordinal, b.band, b.lower_bound, b.upper_bound, b.relative_reach
        ORDER BY b.ordinal
    $$;

-- The leaderboard at a date: equal scores share a rank, the next rank skips (1, 1, 3).
CREATE FUNCTION kpi.ssi_leaderboard(org uuid, at date, team_filter text DEFAULT NULL)
    RETURNS TABLE (rank bigint, ambassador_id text, team text, total_score numeric, snapshot_date date)
    LANGUAGE sql STABLE
    AS $$
        SELECT rank() OVER (ORDER BY total_score DESC), ambassador_id, team, total_score, snapshot_date
        FROM kpi.ssi_latest(org, at, team_filter)
        ORDER BY 1, ambassador_id
    $$;

-- The most improved over [from, to]: SSI at `to` minus SSI at `from` (or the first snapshot after `from`
-- for an ambassador who had none yet).
CREATE FUNCTION kpi.ssi_most_improved(org uuid, from_date date, to_date date, team_filter text DEFAULT NULL)
    RETURNS TABLE (rank bigint, ambassador_id text, team text, gain numeric, score_from numeric, score_to numeric)
    LANGUAGE sql STABLE
    AS $$
        WITH ending AS (SELECT * FROM kpi.ssi_latest(org, to_date, team_filter)),
        starting AS (
            SELECT e.ambassador_id,
                   coalesce(
                       (SELECT s.total_score FROM fact.ssi_snapshots AS s
                        WHERE s.organization_id = org AND s.ambassador_id = e.ambassador_id AND s.snapshot_date <= from_date
                        ORDER BY s.snapshot_date DESC LIMIT 1),
                       (SELECT s.total_score FROM fact.ssi_snapshots AS s
                        WHERE s.organization_id = org AND s.ambassador_id = e.ambassador_id AND s.snapshot_date > from_date
                        ORDER BY s.snapshot_date LIMIT 1)
                   ) AS score
            FROM ending AS e
        )
        SELECT rank() OVER (ORDER BY e.total_score - s.score DESC), e.ambassador_id, e.team, e.total_score - s.score,
               s.score, e.total_score
        FROM ending AS e
        JOIN starting AS s USING (ambassador_id)
        WHERE e.snapshot_date >= from_date
        ORDER BY 1, e.ambassador_id
    $$;

-- Goals at a date: progress, and the day the recent trend (least squares over the snapshots of the last
-- 90 days, at least three) reaches the target; NULL when the trend is flat or falling.
CREATE FUNCTION kpi.ssi_goal_progress(org uuid, at date)
    RETURNS TABLE (ambassador_id text, target_score numeric, target_date date, current_score numeric, progress numeric,
                   trend_per_week numeric, projected_date date, on_track boolean)
    LANGUAGE sql STABLE
    AS $$
        WITH trend AS (
            SELECT s.ambassador_id, count(*) AS points,
                   regr_slope(s.total_score::float8, (s.snapshot_date - at)::float8) AS per_day
            FROM fact.ssi_snapshots AS s
            WHERE s.organization_id = org AND s.snapshot_date <= at AND s.snapshot_date > at - 90
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

GRANT SELECT ON core.ssi_goals, kpi.ssi_bands TO advocacy_reader;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA kpi TO advocacy_reader;
