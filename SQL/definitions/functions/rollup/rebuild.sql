-- Forgets an organisation's rollups and queues every day that has facts: after a change of time zone or currency,
-- or to rebuild them by hand (SELECT rollup.rebuild(organization_id)). Grain: one organisation.
CREATE OR REPLACE FUNCTION rollup.rebuild(org uuid)
 RETURNS bigint
 LANGUAGE plpgsql
AS $function$
    DECLARE
        kept regclass;
        zone text;
        first_day date;
        last_day date;
        queued bigint;
    BEGIN
        PERFORM pg_advisory_xact_lock(hashtextextended('rollup:' || org::text, 0));
        FOR kept IN SELECT c.oid::regclass FROM pg_catalog.pg_class AS c
                    WHERE c.relnamespace = 'rollup'::regnamespace AND c.relkind = 'r'
        LOOP
            EXECUTE format('DELETE FROM %s WHERE organization_id = $1', kept) USING org;
        END LOOP;
        SELECT o.time_zone INTO zone FROM core.organizations AS o WHERE o.organization_id = org;
        SELECT (min(t) AT TIME ZONE zone)::date, (max(t) AT TIME ZONE zone)::date INTO first_day, last_day
        FROM (
            SELECT min(posted_at) AS t FROM fact.posts WHERE organization_id = org UNION ALL
            SELECT max(posted_at) FROM fact.posts WHERE organization_id = org UNION ALL
            SELECT min(occurred_at) FROM fact.web_visits WHERE organization_id = org UNION ALL
            SELECT max(occurred_at) FROM fact.web_visits WHERE organization_id = org UNION ALL
            SELECT min(occurred_at) FROM fact.audience_touches WHERE organization_id = org UNION ALL
            SELECT max(occurred_at) FROM fact.audience_touches WHERE organization_id = org UNION ALL
            SELECT min(created_at) FROM fact.leads WHERE organization_id = org UNION ALL
            SELECT max(created_at) FROM fact.leads WHERE organization_id = org UNION ALL
            SELECT min(applied_at) FROM fact.applications WHERE organization_id = org UNION ALL
            SELECT max(applied_at) FROM fact.applications WHERE organization_id = org UNION ALL
            -- SSI snapshots are dated, not timed: noon keeps the date in any time zone.
            SELECT min(snapshot_date) + time '12:00' AT TIME ZONE zone FROM fact.ssi_snapshots WHERE organization_id = org UNION ALL
            SELECT max(snapshot_date) + time '12:00' AT TIME ZONE zone FROM fact.ssi_snapshots WHERE organization_id = org
        ) AS bounds;
        INSERT INTO rollup.dirty_days (organization_id, day)
        SELECT org, g::date FROM generate_series(first_day, last_day, interval '1 day') AS g;
        GET DIAGNOSTICS queued = ROW_COUNT;
        RETURN queued;
    END
    $function$;
