-- Erases a candidate, by one of their applications: the ATS reference goes, and every application with the same
-- reference (or this one alone, without a reference) gets a new id, in its stage history too. Returns how many
-- rows changed. Grain: one candidate.
CREATE OR REPLACE FUNCTION core.erase_candidate(org uuid, application text)
 RETURNS bigint
 LANGUAGE plpgsql
AS $function$
    DECLARE
        reference text;
        target record;
        replacement text;
        changed bigint := 0;
    BEGIN
        SELECT candidate_ref INTO reference FROM fact.applications WHERE organization_id = org AND application_id = application;
        FOR target IN
            SELECT application_id FROM fact.applications
            WHERE organization_id = org AND (application_id = application OR (reference IS NOT NULL AND candidate_ref = reference))
        LOOP
            replacement := core.erased_id();
            UPDATE fact.applications SET application_id = replacement, candidate_ref = NULL
            WHERE organization_id = org AND application_id = target.application_id;
            UPDATE fact.application_stage_changes SET application_id = replacement
            WHERE organization_id = org AND application_id = target.application_id;
            DELETE FROM ingest.rejected_items
            WHERE organization_id = org AND position(convert_to(target.application_id, 'UTF8') IN raw) > 0;
            changed := changed + 1;
        END LOOP;
        IF reference IS NOT NULL THEN
            DELETE FROM ingest.rejected_items WHERE organization_id = org AND position(convert_to(reference, 'UTF8') IN raw) > 0;
        END IF;
        RETURN changed;
    END
    $function$;
