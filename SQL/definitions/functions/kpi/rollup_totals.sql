-- A period's totals from the rollups: what the API and the dashboards read. Grain: one kpi.totals per period.
CREATE OR REPLACE FUNCTION kpi.rollup_totals(org uuid, from_date date, to_date date)
 RETURNS kpi.totals
 LANGUAGE sql
 STABLE
AS $function$ SELECT t.totals FROM kpi.rollup_totals_of(org, ARRAY[from_date], ARRAY[to_date]) AS t $function$;
