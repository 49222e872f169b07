-- The leaderboard at a date: equal scores share a rank, the next rank skips (1, 1, 3). Grain: one row per
-- ambassador with a snapshot.
CREATE OR REPLACE FUNCTION kpi.ssi_leaderboard(org uuid, at date, team_filter text DEFAULT NULL::text)
 RETURNS TABLE(rank bigint, ambassador_id text, team text, total_score numeric, snapshot_date date)
 LANGUAGE sql
 STABLE
AS $function$
        SELECT rank() OVER (ORDER BY total_score DESC), ambassador_id, team, total_score, snapshot_date
        FROM kpi.ssi_latest(org, at, team_filter)
        ORDER BY 1, ambassador_id
    $function$;
