-- Every KPI for a period and for the same number of days just before it, with the change. Grain: one row per KPI.
CREATE OR REPLACE FUNCTION kpi.summary_with_previous(org uuid, from_date date, to_date date)
 RETURNS TABLE(ordinal integer, key text, family text, name text, unit text, value numeric, previous numeric, change numeric, change_ratio numeric, reason text, detail jsonb)
 LANGUAGE plpgsql
 STABLE
AS $function$
    #variable_conflict use_column
    BEGIN
        RETURN QUERY
        WITH t AS MATERIALIZED (
            SELECT * FROM kpi.rollup_totals_of(org, ARRAY[from_date, from_date - (to_date - from_date + 1)], ARRAY[to_date, from_date - 1])
        )
        SELECT c.ordinal, c.key, c.family, c.name, c.unit, now.value, before.value, now.value - before.value,
               round((now.value - before.value) / nullif(abs(before.value), 0), 6), now.reason, now.detail
        FROM kpi.kpis_from((SELECT t.totals FROM t WHERE t.period = 1)) AS now
        JOIN kpi.kpis_from((SELECT t.totals FROM t WHERE t.period = 2)) AS before USING (key)
        JOIN kpi.catalog AS c USING (key)
        ORDER BY c.ordinal;
    END
    $function$;
