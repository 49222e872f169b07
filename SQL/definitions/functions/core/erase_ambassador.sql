-- Erases an ambassador (GDPR): display name and attributes go, and the ambassador id is replaced by a new random
-- one (core.erased_id()) in every table that holds it, so every aggregate KPI stays exactly what it was and
-- nothing points back to the person. Refused items that name the ambassador are deleted. Returns how many rows
-- changed. Grain: one ambassador.
CREATE OR REPLACE FUNCTION core.erase_ambassador(org uuid, ambassador text)
 RETURNS bigint
 LANGUAGE plpgsql
AS $function$
    DECLARE
        replacement text := core.erased_id();
        changed bigint := 0;
        n bigint;
        keyed regclass;
    BEGIN
        -- The ambassador row carries the key core.ambassador_networks refers to: copy it under the new id,
        -- move the networks, then remove the old row.
        INSERT INTO core.ambassadors (organization_id, ambassador_id, display_name, team, department, region, enrolled_at,
                                      left_at, attributes_as_of, erased_at)
        SELECT organization_id, replacement, NULL, team, department, region, enrolled_at, left_at, attributes_as_of, now()
        FROM core.ambassadors WHERE organization_id = org AND ambassador_id = ambassador;
        GET DIAGNOSTICS n = ROW_COUNT; changed := changed + n;
        UPDATE core.ambassador_networks SET ambassador_id = replacement WHERE organization_id = org AND ambassador_id = ambassador;
        DELETE FROM core.ambassadors WHERE organization_id = org AND ambassador_id = ambassador;
        UPDATE core.ambassador_events SET ambassador_id = replacement, attributes = attributes - 'display_name'
        WHERE organization_id = org AND ambassador_id = ambassador;
        GET DIAGNOSTICS n = ROW_COUNT; changed := changed + n;
        -- Every other table naming ambassadors, found by its ambassador_id column, so a new one is not forgotten.
        FOR keyed IN
            SELECT a.attrelid::regclass
            FROM pg_catalog.pg_attribute AS a
            JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid AND c.relkind = 'r'
            JOIN pg_catalog.pg_namespace AS ns ON ns.oid = c.relnamespace
            WHERE a.attname = 'ambassador_id' AND NOT a.attisdropped AND ns.nspname IN ('core', 'fact', 'ingest')
              AND c.relname NOT IN ('ambassadors', 'ambassador_networks', 'ambassador_events')
        LOOP
            EXECUTE format('UPDATE %s SET ambassador_id = $1 WHERE organization_id = $2 AND ambassador_id = $3', keyed)
                USING replacement, org, ambassador;
            GET DIAGNOSTICS n = ROW_COUNT; changed := changed + n;
        END LOOP;
        DELETE FROM ingest.rejected_items
        WHERE organization_id = org AND position(convert_to(ambassador, 'UTF8') IN raw) > 0;
        RETURN changed;
    END
    $function$;
