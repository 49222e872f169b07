-- Each ambassador's latest SSI snapshot on or before a date, optionally for one team (the ambassador's current one),
-- from the rows of the latest SSI day on or before it (rollup.ssi_days, a row per team; from the snapshots while
-- days are queued, kpi.ssi_latest_raw). Grain: one row per ambassador with a snapshot.
CREATE OR REPLACE FUNCTION kpi.ssi_latest(org uuid, at date, team_filter text DEFAULT NULL::text)
 RETURNS TABLE(ambassador_id text, team text, snapshot_date date, total_score numeric, brand_score numeric, people_score numeric, insights_score numeric, relationships_score numeric, industry_rank_top_pct numeric, network_rank_top_pct numeric)
 LANGUAGE sql
 STABLE
AS $function$
        SELECT u.ambassador_id, nullif(r.team, ''), u.snapshot_date, u.total_score, u.brand_score, u.people_score, u.insights_score,
               u.relationships_score, u.industry_rank_top_pct, u.network_rank_top_pct
        FROM rollup.ssi_days AS r
        CROSS JOIN LATERAL unnest(r.ambassador_ids, r.snapshot_dates, r.total_scores, r.brand_scores, r.people_scores,
                                  r.insights_scores, r.relationships_scores, r.industry_ranks, r.network_ranks)
            AS u (ambassador_id, snapshot_date, total_score, brand_score, people_score, insights_score, relationships_score,
                  industry_rank_top_pct, network_rank_top_pct)
        WHERE rollup.settled(org, at)
          AND r.organization_id = org
          AND r.day = (SELECT max(x.day) FROM rollup.ssi_days AS x WHERE x.organization_id = org AND x.day <= at)
          AND (team_filter IS NULL OR r.team = nullif(team_filter, ''))
        UNION ALL
        -- Days up to `at` still queued: from the snapshots themselves (rollup.settled), never stale.
        SELECT * FROM kpi.ssi_latest_raw(org, at, team_filter) WHERE NOT rollup.settled(org, at)
    $function$;
