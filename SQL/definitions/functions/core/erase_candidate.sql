-- Erases a candidate, by one of their applications: the ATS reference goes, and every application with the same
-- reference (or this one alone, without a reference) gets a new id, in its stage history too; the ids of the
-- events that brought them take their erased form (core.erase_event_ids), and refused items naming them go.
-- Returns how many applications changed. Grain: one candidate.
CREATE OR REPLACE FUNCTION core.erase_candidate(org uuid, application text)
 RETURNS bigint
 LANGUAGE plpgsql
AS $function$
    DECLARE
        reference text;
        target record;
        replacement text;
        named text[] := ARRAY[application];
        ids text[] := '{}';
        changed bigint := 0;
    BEGIN
        SELECT candidate_ref INTO reference FROM fact.applications WHERE organization_id = org AND application_id = application;
        IF reference IS NOT NULL THEN
            named := named || reference;
        END IF;
        FOR target IN
            SELECT application_id, source_event_id FROM fact.applications
            WHERE organization_id = org AND (application_id = application OR (reference IS NOT NULL AND candidate_ref = reference))
        LOOP
            replacement := core.erased_id();
            named := named || target.application_id::text;
            ids := ids || target.source_event_id || ARRAY(
                SELECT s.change_id::text FROM fact.application_stage_changes AS s
                WHERE s.organization_id = org AND s.application_id = target.application_id);
            UPDATE fact.applications SET application_id = replacement, candidate_ref = NULL
            WHERE organization_id = org AND application_id = target.application_id;
            UPDATE fact.application_stage_changes SET application_id = replacement
            WHERE organization_id = org AND application_id = target.application_id;
            changed := changed + 1;
        END LOOP;
        PERFORM core.erase_event_ids(org, ids);
        DELETE FROM ingest.rejected_items WHERE organization_id = org AND identifiers && (named || ids);
        RETURN changed;
    END
    $function$;
