-- The spans of day d's snapshots: each snapshot as the SSI rows (rollup.ssi_days) take it. Returns whether the SSI
-- rows from d on must be rebuilt (rollup.rebuild_ssi_days): the day's snapshots changed, or its row is missing. A
-- day queued for its posts or visits alone rebuilds none. Grain: one organisation-day.
CREATE OR REPLACE FUNCTION rollup.recompute_ssi_spans(org uuid, d date)
 RETURNS boolean
 LANGUAGE plpgsql
AS $function$
    DECLARE
        before CONSTANT text := rollup.ssi_day_text(org, d);
        after text;
    BEGIN
        DELETE FROM rollup.ssi_spans WHERE organization_id = org AND snapshot_date = d;
        INSERT INTO rollup.ssi_spans (organization_id, ambassador_id, snapshot_date, total_score, brand_score, people_score,
                                       insights_score, relationships_score, industry_rank_top_pct, network_rank_top_pct)
        SELECT org, s.ambassador_id, s.snapshot_date, s.total_score, s.brand_score, s.people_score, s.insights_score,
               s.relationships_score, s.industry_rank_top_pct, s.network_rank_top_pct
        FROM fact.ssi_snapshots AS s
        WHERE s.organization_id = org AND s.snapshot_date = d;
        after := rollup.ssi_day_text(org, d);
        RETURN after IS DISTINCT FROM before
            OR (after IS NOT NULL AND NOT EXISTS (SELECT FROM rollup.ssi_days AS r WHERE r.organization_id = org AND r.day = d));
    END
    $function$;
