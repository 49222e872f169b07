-- What the SSI rows (rollup.ssi_days) take from one day: its snapshots' spans as text. Grain: one
-- organisation-day.
CREATE OR REPLACE FUNCTION rollup.ssi_day_text(org uuid, d date)
 RETURNS text
 LANGUAGE sql
 STABLE
AS $function$
        SELECT string_agg((p.ambassador_id, p.total_score, p.brand_score, p.people_score, p.insights_score, p.relationships_score,
                           p.industry_rank_top_pct, p.network_rank_top_pct)::text, ';' ORDER BY p.ambassador_id)
        FROM rollup.ssi_spans AS p
        WHERE p.organization_id = org AND p.snapshot_date = d
    $function$;
