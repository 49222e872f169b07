-- How many ambassadors are in each band at a date, with the band's relative post reach. Grain: one row per band.
CREATE OR REPLACE FUNCTION kpi.ssi_band_distribution(org uuid, at date, team_filter text DEFAULT NULL::text)
 RETURNS TABLE(band text, lower_bound numeric, upper_bound numeric, ambassadors bigint, share numeric, relative_reach numeric)
 LANGUAGE sql
 STABLE
AS $function$
        WITH latest AS (SELECT total_score FROM kpi.ssi_latest(org, at, team_filter))
        SELECT b.band, b.lower_bound, b.upper_bound, count(l.total_score),
               round(count(l.total_score)::numeric / nullif((SELECT count(*) FROM latest), 0), 6), b.relative_reach
        FROM kpi.ssi_bands AS b
        LEFT JOIN latest AS l ON l.total_score >= b.lower_bound AND (b.upper_bound IS NULL OR l.total_score < b.upper_bound)
        GROUP BY b.ordinal, b.band, b.lower_bound, b.upper_bound, b.relative_reach
        ORDER BY b.ordinal
    $function$;
