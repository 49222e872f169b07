-- The SSI month by month (seed 000's spreadsheet: a row per ambassador, a column per month): each ambassador's
-- latest snapshot taken in each month of [from, to], optionally for one team (current team). A month without a
-- snapshot has no row: the sheet leaves its cell empty rather than carry an old score forward. Grain: one row per
-- ambassador and month with a snapshot.
CREATE OR REPLACE FUNCTION kpi.ssi_monthly(org uuid, from_date date, to_date date, team_filter text DEFAULT NULL::text)
 RETURNS TABLE(ambassador_id text, team text, month date, snapshot_date date, total_score numeric)
 LANGUAGE sql
 STABLE
AS $function$
        SELECT DISTINCT ON (s.ambassador_id, date_trunc('month', s.snapshot_date))
               s.ambassador_id, a.team, date_trunc('month', s.snapshot_date)::date, s.snapshot_date, s.total_score
        FROM fact.ssi_snapshots AS s
        LEFT JOIN core.ambassadors AS a ON a.organization_id = s.organization_id AND a.ambassador_id = s.ambassador_id
        WHERE s.organization_id = org
          AND s.snapshot_date >= date_trunc('month', from_date) AND s.snapshot_date <= to_date
          AND (team_filter IS NULL OR a.team = team_filter)
        ORDER BY s.ambassador_id, date_trunc('month', s.snapshot_date), s.snapshot_date DESC
    $function$;
