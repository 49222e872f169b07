-- SSI goals at a date: progress, and the day the recent trend (least squares over the snapshots of the last 90
-- days, at least three) reaches the target; NULL when the trend is flat or falling. Grain: one row per goal.
CREATE OR REPLACE FUNCTION kpi.ssi_goal_progress(org uuid, at date)
 RETURNS TABLE(ambassador_id text, target_score numeric, target_date date, current_score numeric, progress numeric, trend_per_week numeric, projected_date date, on_track boolean)
 LANGUAGE sql
 STABLE
AS $function$
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
        -- The goal's ambassador only: a primary-key range, not everyone's latest snapshot.
        LEFT JOIN LATERAL (
            SELECT s.total_score, s.snapshot_date FROM fact.ssi_snapshots AS s
            WHERE s.organization_id = org AND s.ambassador_id = g.ambassador_id AND s.snapshot_date <= at
            ORDER BY s.snapshot_date DESC LIMIT 1
        ) AS l ON true
        LEFT JOIN trend AS t USING (ambassador_id)
        WHERE g.organization_id = org
        ORDER BY g.ambassador_id
    $function$;
