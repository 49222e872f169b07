-- Every KPI of the catalog for one period, straight from the facts: the reference the rollups are tested against.
-- Grain: one row per KPI.
CREATE OR REPLACE FUNCTION kpi.summary_raw(org uuid, from_date date, to_date date)
 RETURNS TABLE(key text, value numeric, reason text, detail jsonb)
 LANGUAGE sql
 STABLE
AS $function$ SELECT k.* FROM kpi.raw_totals(org, from_date, to_date) AS t, kpi.kpis_from(t) AS k $function$;
