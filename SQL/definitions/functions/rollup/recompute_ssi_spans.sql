-- The spans of day d's snapshots; then the ends of every span of the ambassadors with a snapshot that appeared or
-- went away on d, from their snapshots in order (a few dozen rows an ambassador). Returns whether the SSI rows from
-- d on must be rebuilt (rollup.rebuild_ssi_days): the day's snapshots changed, or its row is missing. A day queued
-- for its posts or visits alone rebuilds none. Grain: one organisation-day.
CREATE OR REPLACE FUNCTION rollup.recompute_ssi_spans(org uuid, d date)
 RETURNS boolean
 LANGUAGE plpgsql
AS $function$
    DECLARE
        before CONSTANT text := rollup.ssi_day_text(org, d);
        touched text[];
    BEGIN
        SELECT array_agg(DISTINCT t.ambassador_id) INTO touched
        FROM (
            SELECT s.ambassador_id::text AS ambassador_id FROM fact.ssi_snapshots AS s WHERE s.organization_id = org AND s.snapshot_date = d
            UNION ALL
            SELECT p.ambassador_id FROM rollup.ssi_spans AS p WHERE p.organization_id = org AND p.snapshot_date = d
        ) AS t;
        IF touched IS NULL THEN
            RETURN false;
        END IF;
        DELETE FROM rollup.ssi_spans WHERE organization_id = org AND snapshot_date = d;
        INSERT INTO rollup.ssi_spans
        SELECT org, s.ambassador_id, s.snapshot_date, 'infinity', false, s.total_score, s.brand_score, s.people_score, s.insights_score,
               s.relationships_score, s.industry_rank_top_pct, s.network_rank_top_pct
        FROM fact.ssi_snapshots AS s
        WHERE s.organization_id = org AND s.snapshot_date = d;
        UPDATE rollup.ssi_spans AS p
        SET next_date = n.next_date, first_snapshot = n.first_snapshot
        FROM (
            SELECT s.ambassador_id, s.snapshot_date,
                   coalesce(lead(s.snapshot_date) OVER (PARTITION BY s.ambassador_id ORDER BY s.snapshot_date), 'infinity') AS next_date,
                   row_number() OVER (PARTITION BY s.ambassador_id ORDER BY s.snapshot_date) = 1 AS first_snapshot
            FROM fact.ssi_snapshots AS s
            WHERE s.organization_id = org AND s.ambassador_id = ANY (touched)
        ) AS n
        WHERE p.organization_id = org AND p.ambassador_id = ANY (touched)
          AND p.ambassador_id = n.ambassador_id AND p.snapshot_date = n.snapshot_date
          AND (p.next_date, p.first_snapshot) IS DISTINCT FROM (n.next_date, n.first_snapshot);
        RETURN rollup.ssi_day_text(org, d) IS DISTINCT FROM before
            OR NOT EXISTS (SELECT FROM rollup.ssi_days AS r WHERE r.organization_id = org AND r.day = d);
    END
    $function$;
