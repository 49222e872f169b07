-- The ledger: records a batch's event ids in ingest.accepted_events and returns the ids already there, so a
-- retried batch stores nothing twice. Ids are inserted plainly (nearly all are new); a batch holding a known id
-- falls back to ON CONFLICT. Grain: one row per event id.
CREATE OR REPLACE FUNCTION ingest.record_events(org uuid, event_ids text[], event_types text[], occurred timestamp with time zone[])
 RETURNS SETOF text
 LANGUAGE plpgsql
AS $function$
    BEGIN
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
        SELECT e.id FROM unnest(event_ids) AS e (id) WHERE NOT EXISTS (SELECT FROM added WHERE added.event_id = e.id COLLATE "C");
    END
    $function$;
