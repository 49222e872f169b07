-- Stores a batch of ambassador events (enrolled, updated, left), each kept as it came (an update may name only
-- the team), then recomputes the ambassadors they name (ingest.refresh_ambassadors). An event id already
-- stored is not stored again. Grain: one row per event.
CREATE OR REPLACE FUNCTION ingest.record_ambassador_events(
    org uuid, event_ids text[], ambassador_ids text[], kinds text[], occurred timestamptz[], effective timestamptz[],
    attributes jsonb[]
)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
    BEGIN
        INSERT INTO core.ambassador_events (organization_id, event_id, ambassador_id, kind, occurred_at, effective_at, attributes)
        SELECT org, e.event_id, e.ambassador_id, e.kind, e.occurred_at, e.effective_at, e.attributes
        FROM unnest(event_ids, ambassador_ids, kinds, occurred, effective, attributes)
             AS e (event_id, ambassador_id, kind, occurred_at, effective_at, attributes)
        ON CONFLICT DO NOTHING;
        PERFORM ingest.refresh_ambassadors(org, ARRAY(SELECT DISTINCT unnest(ambassador_ids)));
    END
    $function$;
