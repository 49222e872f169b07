-- Deletes an organisation with all its rows, including the rollups and the queue that have no foreign key. It
-- first waits for the organisation's rollup maintainer (and a maintainer that comes after finds nothing queued),
-- so that maintenance never writes rows for an organisation that is gone. Grain: one organisation.
CREATE OR REPLACE FUNCTION core.delete_organization(organization uuid)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
    DECLARE
        keyed regclass;
    BEGIN
        PERFORM pg_advisory_xact_lock(hashtextextended('rollup:' || organization::text, 0));
        FOR keyed IN
            SELECT a.attrelid::regclass
            FROM pg_catalog.pg_attribute AS a
            JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid AND c.relkind = 'r'
            JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
            WHERE a.attname = 'organization_id' AND NOT a.attisdropped
              AND n.nspname IN ('fact', 'ingest', 'rollup') AND c.relname <> 'rejected_items'
        LOOP
            EXECUTE format('DELETE FROM %s WHERE organization_id = $1', keyed) USING organization;
        END LOOP;
        -- The rest goes by ON DELETE CASCADE.
        DELETE FROM core.organizations WHERE organization_id = organization;
    END
    $function$;
