-- Every KPI of the catalog for one period [from, to], from the rollups: value, the reason of a NULL, and the
-- detail. Grain: one row per KPI.
CREATE OR REPLACE FUNCTION kpi.summary(org uuid, from_date date, to_date date)
 RETURNS TABLE(key text, value numeric, reason text, detail jsonb)
 LANGUAGE sql
 STABLE
AS $function$ SELECT k.* FROM kpi.rollup_totals(org, from_date, to_date) AS t, kpi.kpis_from(t) AS k $function$;
