-- The most improved over [from, to] from the snapshots: the reference. SSI at `to` minus SSI at `from` (or, for an
-- ambassador who had none yet, their first snapshot after `from`). Grain: one row per ambassador.
CREATE OR REPLACE FUNCTION kpi.ssi_most_improved_raw(org uuid, from_date date, to_date date, team_filter text DEFAULT NULL::text)
 RETURNS TABLE(rank bigint, ambassador_id text, team text, gain numeric, score_from numeric, score_to numeric)
 LANGUAGE sql
 STABLE
AS $function$
        WITH ending AS (SELECT * FROM kpi.ssi_latest_raw(org, to_date, team_filter) AS e WHERE e.snapshot_date >= from_date),
        starting AS (
            SELECT e.ambassador_id,
                   coalesce(s.total_score,
                            (SELECT x.total_score FROM fact.ssi_snapshots AS x
                             WHERE x.organization_id = org AND x.ambassador_id = e.ambassador_id
                             ORDER BY x.snapshot_date LIMIT 1)) AS score
            FROM ending AS e
            LEFT JOIN kpi.ssi_latest_raw(org, from_date) AS s USING (ambassador_id)
        )
        SELECT rank() OVER (ORDER BY e.total_score - s.score DESC), e.ambassador_id, e.team, e.total_score - s.score,
               s.score, e.total_score
        FROM ending AS e
        JOIN starting AS s USING (ambassador_id)
        ORDER BY 1, e.ambassador_id
    $function$;
