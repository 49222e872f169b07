-- The ledger: records a batch's event ids in ingest.accepted_events and returns the ids already there with the
-- type stored under each, so a retried batch stores nothing twice and an id reused for another type of event
-- is told apart from a retry. Ids are inserted plainly (nearly all are new); a batch holding a known id falls
-- back to ON CONFLICT. An organisation that erased someone also holds erased ids (core.erased_event_id): only
-- then is each id of a batch looked up in that form too, so a retried event of an erased person stays a
-- duplicate. Grain: one row per event id already in the ledger.
-- Dropped first: CREATE OR REPLACE cannot change a function's result type, which was once SETOF text.
DROP FUNCTION IF EXISTS ingest.record_events(uuid, text[], text[], timestamp with time zone[]);

CREATE FUNCTION ingest.record_events(org uuid, event_ids text[], event_types text[], occurred timestamp with time zone[])
 RETURNS TABLE (event_id text, stored_type text)
 LANGUAGE plpgsql
AS $function$
    #variable_conflict use_column
    BEGIN
        IF EXISTS (SELECT FROM ingest.accepted_events AS a
                   WHERE a.organization_id = org AND a.event_id >= 'erased:' AND a.event_id < 'erased;') THEN
            RETURN QUERY
            WITH batch AS (
                SELECT e.id, e.type, e.occurred_at, core.erased_event_id(o.pseudonym_key, e.id) AS erased_id
                FROM unnest(event_ids, event_types, occurred) AS e (id, type, occurred_at)
                JOIN core.organizations AS o ON o.organization_id = org
            ),
            erased AS (
                SELECT b.id, a.event_type
                FROM batch AS b
                JOIN ingest.accepted_events AS a ON a.organization_id = org AND a.event_id = b.erased_id COLLATE "C"
            ),
            added AS (
                INSERT INTO ingest.accepted_events AS a (organization_id, event_id, event_type, occurred_at)
                SELECT org, b.id, b.type, b.occurred_at FROM batch AS b
                WHERE NOT EXISTS (SELECT FROM erased AS x WHERE x.id = b.id COLLATE "C")
                ON CONFLICT DO NOTHING
                RETURNING a.event_id
            )
            SELECT x.id::text, x.event_type FROM erased AS x
            UNION ALL
            SELECT b.id::text, a.event_type
            FROM batch AS b
            JOIN ingest.accepted_events AS a ON a.organization_id = org AND a.event_id = b.id COLLATE "C"
            WHERE NOT EXISTS (SELECT FROM added WHERE added.event_id = b.id COLLATE "C");
            RETURN;
        END IF;
        BEGIN
            INSERT INTO ingest.accepted_events (organization_id, event_id, event_type, occurred_at)
            SELECT org, unnest(event_ids), unnest(event_types), unnest(occurred);
            RETURN;
        EXCEPTION WHEN unique_violation THEN
            NULL;  -- the insert is undone; below, the known ids are skipped
        END;
        RETURN QUERY
        WITH added AS (
            INSERT INTO ingest.accepted_events AS a (organization_id, event_id, event_type, occurred_at)
            SELECT org, e.id, e.type, e.occurred_at FROM unnest(event_ids, event_types, occurred) AS e (id, type, occurred_at)
            ON CONFLICT DO NOTHING
            RETURNING a.event_id
        )
        SELECT e.id::text, a.event_type
        FROM unnest(event_ids) AS e (id)
        JOIN ingest.accepted_events AS a ON a.organization_id = org AND a.event_id = e.id COLLATE "C"
        WHERE NOT EXISTS (SELECT FROM added WHERE added.event_id = e.id COLLATE "C");
    END
    $function$;
