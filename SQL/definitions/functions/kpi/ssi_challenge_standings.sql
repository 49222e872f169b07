-- A challenge's standings as of a day (clipped to the challenge's end): each taking part (current team among
-- the challenge's, or everyone) with a snapshot by then; the start score is the latest snapshot on or before the
-- start, or for one who had none yet their first snapshot since; the current score the latest on or before the
-- day. Ranked by gain for a gain target, by current score for a score target, equal values sharing a rank;
-- reached says whether the target is met. Grain: one row per ambassador taking part.
CREATE OR REPLACE FUNCTION kpi.ssi_challenge_standings(org uuid, challenge uuid, as_of date)
 RETURNS TABLE(rank bigint, ambassador_id text, team text, start_score numeric, start_snapshot_date date, current_score numeric, current_snapshot_date date, gain numeric, reached boolean)
 LANGUAGE sql
 STABLE
AS $function$
        WITH c AS (
            SELECT x.*, least(as_of, x.ends_on) AS through
            FROM core.ssi_challenges AS x
            WHERE x.organization_id = org AND x.challenge_id = challenge
        ),
        standing AS (
            SELECT n.ambassador_id, n.team, coalesce(s.total_score, f.total_score) AS start_score,
                   coalesce(s.snapshot_date, f.snapshot_date) AS start_snapshot_date, n.total_score AS current_score,
                   n.snapshot_date AS current_snapshot_date, n.total_score - coalesce(s.total_score, f.total_score) AS gain,
                   c.target_gain, c.target_score
            FROM c
            CROSS JOIN LATERAL kpi.ssi_latest(org, c.through) AS n
            LEFT JOIN LATERAL kpi.ssi_latest(org, c.starts_on) AS s ON s.ambassador_id = n.ambassador_id
            -- No snapshot by the start: the first one since (looked up only for them).
            LEFT JOIN LATERAL (
                SELECT x.total_score, x.snapshot_date FROM fact.ssi_snapshots AS x
                WHERE s.ambassador_id IS NULL AND x.organization_id = org AND x.ambassador_id = n.ambassador_id
                  AND x.snapshot_date > c.starts_on
                ORDER BY x.snapshot_date LIMIT 1
            ) AS f ON true
            WHERE c.teams IS NULL OR n.team = ANY (c.teams)
        )
        SELECT rank() OVER (ORDER BY CASE WHEN s.target_gain IS NOT NULL THEN s.gain ELSE s.current_score END DESC NULLS LAST),
               s.ambassador_id, s.team, s.start_score, s.start_snapshot_date, s.current_score, s.current_snapshot_date, s.gain,
               CASE WHEN s.target_gain IS NOT NULL THEN coalesce(s.gain >= s.target_gain, false)
                    ELSE s.current_score >= s.target_score END
        FROM standing AS s
        ORDER BY 1, s.ambassador_id
    $function$;
