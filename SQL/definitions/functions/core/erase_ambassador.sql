-- Erases an ambassador (GDPR): display name and attributes go, and the ambassador id is replaced by a new random
-- one (core.erased_id()) in every table that holds it, so every aggregate KPI stays exactly what it was and
-- nothing points back to the person. The ids of the events that named the ambassador take their erased form
-- (core.erase_event_ids), the audit log's entries about the ambassador (SSI goals) name the new id, and refused
-- items naming the ambassador are deleted. Returns how many rows changed. Grain: one ambassador.
CREATE OR REPLACE FUNCTION core.erase_ambassador(org uuid, ambassador text)
 RETURNS bigint
 LANGUAGE plpgsql
AS $function$
    DECLARE
        replacement text := core.erased_id();
        changed bigint := 0;
        n bigint;
        keyed regclass;
        has_source boolean;
        n_ids text[];
        ids text[];
    BEGIN
        ids := ARRAY(SELECT e.event_id::text FROM core.ambassador_events AS e WHERE e.organization_id = org AND e.ambassador_id = ambassador);
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
        -- Every other table naming ambassadors, found by its ambassador_id column, so a new one is not forgotten;
        -- with the events its rows came from.
        FOR keyed, has_source IN
            SELECT a.attrelid::regclass,
                   EXISTS (SELECT FROM pg_catalog.pg_attribute AS s
                           WHERE s.attrelid = a.attrelid AND s.attname = 'source_event_id' AND NOT s.attisdropped)
            FROM pg_catalog.pg_attribute AS a
            JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid AND c.relkind = 'r'
            JOIN pg_catalog.pg_namespace AS ns ON ns.oid = c.relnamespace
            WHERE a.attname = 'ambassador_id' AND NOT a.attisdropped AND ns.nspname IN ('core', 'fact', 'ingest')
              AND c.relname NOT IN ('ambassadors', 'ambassador_networks', 'ambassador_events')
        LOOP
            IF has_source THEN
                EXECUTE format('SELECT array_agg(source_event_id::text) FROM %s WHERE organization_id = $1 AND ambassador_id = $2', keyed)
                    INTO STRICT n_ids USING org, ambassador;
                ids := ids || coalesce(n_ids, '{}');
            END IF;
            EXECUTE format('UPDATE %s SET ambassador_id = $1 WHERE organization_id = $2 AND ambassador_id = $3', keyed)
                USING replacement, org, ambassador;
            GET DIAGNOSTICS n = ROW_COUNT; changed := changed + n;
        END LOOP;
        PERFORM core.erase_event_ids(org, ids);
        UPDATE core.audit_log SET target = replacement
        WHERE organization_id = org AND target = ambassador AND action LIKE 'ssi\_goal.%';
        GET DIAGNOSTICS n = ROW_COUNT; changed := changed + n;
        DELETE FROM ingest.rejected_items WHERE organization_id = org AND identifiers && (ARRAY[ambassador] || ids);
        RETURN changed;
    END
    $function$;
