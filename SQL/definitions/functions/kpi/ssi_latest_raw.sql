-- Each ambassador's latest SSI snapshot on or before a date, optionally for one team, from the snapshots: the
-- reference. Grain: one row per ambassador with a snapshot.
CREATE OR REPLACE FUNCTION kpi.ssi_latest_raw(org uuid, at date, team_filter text DEFAULT NULL::text)
 RETURNS TABLE(ambassador_id text, team text, snapshot_date date, total_score numeric, brand_score numeric, people_score numeric, insights_score numeric, relationships_score numeric, industry_rank_top_pct numeric, network_rank_top_pct numeric)
 LANGUAGE sql
 STABLE
AS $function$
        SELECT DISTINCT ON (s.ambassador_id) s.ambassador_id, a.team, s.snapshot_date, s.total_score, s.brand_score,
               s.people_score, s.insights_score, s.relationships_score, s.industry_rank_top_pct, s.network_rank_top_pct
        FROM fact.ssi_snapshots AS s
        LEFT JOIN core.ambassadors AS a ON a.organization_id = s.organization_id AND a.ambassador_id = s.ambassador_id
        WHERE s.organization_id = org AND s.snapshot_date <= at AND (team_filter IS NULL OR a.team = team_filter)
        ORDER BY s.ambassador_id, s.snapshot_date DESC
    $function$;
