-- Each ambassador's latest SSI snapshot on or before a date, optionally for one team, from the spans in force
-- (rollup.ssi_spans; from the snapshots while days are queued, kpi.ssi_latest_raw). Grain: one row per ambassador with a snapshot.
CREATE OR REPLACE FUNCTION kpi.ssi_latest(org uuid, at date, team_filter text DEFAULT NULL::text)
 RETURNS TABLE(ambassador_id text, team text, snapshot_date date, total_score numeric, brand_score numeric, people_score numeric, insights_score numeric, relationships_score numeric, industry_rank_top_pct numeric, network_rank_top_pct numeric)
 LANGUAGE sql
 STABLE
AS $function$
        SELECT s.ambassador_id, a.team, s.snapshot_date, s.total_score, s.brand_score, s.people_score, s.insights_score,
               s.relationships_score, s.industry_rank_top_pct, s.network_rank_top_pct
        FROM rollup.ssi_spans AS s
        LEFT JOIN core.ambassadors AS a ON a.organization_id = org AND a.ambassador_id = s.ambassador_id
        WHERE rollup.settled(org, at)
          AND s.organization_id = org AND s.snapshot_date <= at AND s.next_date > at
          AND (team_filter IS NULL OR a.team = team_filter)
        UNION ALL
        -- Days up to `at` still queued: from the snapshots themselves (rollup.settled), never stale.
        SELECT * FROM kpi.ssi_latest_raw(org, at, team_filter) WHERE NOT rollup.settled(org, at)
    $function$;
