-- Replaces the event ids (and visit, touch and stage-change ids) of an erased person, which may carry the person's
-- identifier, by their erased form (core.erased_event_id) in the ledger (ingest.accepted_events) and in every
-- fact that records them. Returns how many ledger rows changed. Grain: a set of ids of one organisation.
CREATE OR REPLACE FUNCTION core.erase_event_ids(org uuid, ids text[])
 RETURNS bigint
 LANGUAGE plpgsql
AS $function$
    DECLARE
        key bytea;
        changed bigint;
        keyed regclass;
        col name;
    BEGIN
        SELECT o.pseudonym_key INTO key FROM core.organizations AS o WHERE o.organization_id = org;
        ids := ARRAY(SELECT DISTINCT i FROM unnest(ids) AS i WHERE i IS NOT NULL AND i <> '' AND i NOT LIKE 'erased:%');
        IF cardinality(ids) = 0 THEN
            RETURN 0;
        END IF;
        UPDATE ingest.accepted_events AS a SET event_id = core.erased_event_id(key, a.event_id)
        WHERE a.organization_id = org AND a.event_id = ANY (ids);
        GET DIAGNOSTICS changed = ROW_COUNT;
        -- Every column that holds an event id, or an id that defaults to one (a visit's, a touch's, a stage
        -- change's), found by its name, so a new table is not forgotten. Aggregates do not read these ids.
        FOR keyed, col IN
            SELECT a.attrelid::regclass, a.attname
            FROM pg_catalog.pg_attribute AS a
            JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid AND c.relkind = 'r'
            JOIN pg_catalog.pg_namespace AS ns ON ns.oid = c.relnamespace
            WHERE a.attname IN ('source_event_id', 'event_id', 'visit_id', 'touch_id', 'change_id') AND NOT a.attisdropped
              AND ns.nspname IN ('core', 'fact')
        LOOP
            EXECUTE format('UPDATE %s SET %I = core.erased_event_id($1, %I) WHERE organization_id = $2 AND %I = ANY ($3)',
                           keyed, col, col, col)
                USING key, org, ids;
        END LOOP;
        RETURN changed;
    END
    $function$;
