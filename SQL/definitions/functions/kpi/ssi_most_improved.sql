-- The most improved over [from, to]: SSI at `to` minus SSI at `from` (or, for an ambassador who had none yet, their
-- first snapshot after `from`), optionally of one team (the ambassador's current one), from the SSI rows of the two
-- dates (rollup.ssi_days, a row per team: scores in force and first scores); while days are queued
-- (rollup.settled), from the snapshots (kpi.ssi_most_improved_raw). Grain: one row per ambassador.
CREATE OR REPLACE FUNCTION kpi.ssi_most_improved(org uuid, from_date date, to_date date, team_filter text DEFAULT NULL::text)
 RETURNS TABLE(rank bigint, ambassador_id text, team text, gain numeric, score_from numeric, score_to numeric)
 LANGUAGE plpgsql
 STABLE
AS $function$
    #variable_conflict use_column
    BEGIN
        IF NOT rollup.settled(org, to_date) THEN
            RETURN QUERY SELECT * FROM kpi.ssi_most_improved_raw(org, from_date, to_date, team_filter);
            RETURN;
        END IF;
        RETURN QUERY
        WITH ending AS MATERIALIZED (
            SELECT u.ambassador_id, nullif(r.team, '') AS team, u.total_score, u.first_score
            FROM rollup.ssi_days AS r
            CROSS JOIN LATERAL unnest(r.ambassador_ids, r.snapshot_dates, r.total_scores, r.first_scores)
                AS u (ambassador_id, snapshot_date, total_score, first_score)
            WHERE r.organization_id = org
              AND r.day = (SELECT max(x.day) FROM rollup.ssi_days AS x WHERE x.organization_id = org AND x.day <= to_date)
              AND (team_filter IS NULL OR r.team = nullif(team_filter, ''))
              AND u.snapshot_date >= from_date
        ),
        starting AS MATERIALIZED (
            SELECT u.ambassador_id, u.total_score
            FROM rollup.ssi_days AS r
            CROSS JOIN LATERAL unnest(r.ambassador_ids, r.total_scores) AS u (ambassador_id, total_score)
            WHERE r.organization_id = org
              AND r.day = (SELECT max(x.day) FROM rollup.ssi_days AS x WHERE x.organization_id = org AND x.day <= from_date)
              AND (team_filter IS NULL OR r.team = nullif(team_filter, ''))
        ),
        scored AS (
            -- No snapshot at `from`: the first one, which then came after it.
            SELECT e.ambassador_id, e.team, coalesce(s.total_score, e.first_score) AS score_from, e.total_score AS score_to
            FROM ending AS e
            LEFT JOIN starting AS s USING (ambassador_id)
        )
        SELECT rank() OVER (ORDER BY s.score_to - s.score_from DESC), s.ambassador_id, s.team, s.score_to - s.score_from,
               s.score_from, s.score_to
        FROM scored AS s
        ORDER BY 1, s.ambassador_id;
    END
    $function$;
