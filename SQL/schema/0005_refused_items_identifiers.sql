-- Refused items are erased by the identifiers they name, read from their parsed fields when they were refused
-- (the event id, and data's ambassador_id, visitor, member, application_id, candidate_ref and visit_id), not
-- by a byte search of their raw text: an escaped identifier is found, a short one matches no unrelated item,
-- and the search uses an index. An item that could not be parsed names none; it is deleted with the others
-- of its age after the retention period (REJECTION_RETENTION_DAYS).
ALTER TABLE ingest.rejected_items ADD COLUMN identifiers text[] NOT NULL DEFAULT '{}';

CREATE INDEX rejected_items_by_identifier ON ingest.rejected_items USING gin (identifiers);

-- Items refused before this migration: their identifiers, when their raw text is a JSON object.
DO $$
DECLARE
    item record;
    document jsonb;
BEGIN
    FOR item IN SELECT organization_id, rejection_id, raw FROM ingest.rejected_items LOOP
        BEGIN
            document := convert_from(item.raw, 'UTF8')::jsonb;
        EXCEPTION WHEN others THEN
            CONTINUE;  -- not UTF-8, or not JSON: it names nothing
        END;
        CONTINUE WHEN jsonb_typeof(document) <> 'object';
        UPDATE ingest.rejected_items SET identifiers = ARRAY(
            SELECT DISTINCT v FROM unnest(ARRAY[
                document ->> 'id', document -> 'data' ->> 'ambassador_id', document -> 'data' ->> 'visitor',
                document -> 'data' ->> 'member', document -> 'data' ->> 'application_id',
                document -> 'data' ->> 'candidate_ref', document -> 'data' ->> 'visit_id'
            ]) AS v WHERE v IS NOT NULL)
        WHERE organization_id = item.organization_id AND rejection_id = item.rejection_id;
    END LOOP;
END
$$;
