-- Erases an audience member or a web visitor, by the identifier the sources send: its keyed hash is replaced by
-- random bytes everywhere, so distinct counts and first touches stay as they were. Returns how many rows changed.
-- Grain: one person.
CREATE OR REPLACE FUNCTION core.erase_person_hash(org uuid, identifier text)
 RETURNS bigint
 LANGUAGE plpgsql
AS $function$
    DECLARE
        old_hash bytea;
        replacement bytea := core.random_key();
        changed bigint := 0;
        n bigint;
    BEGIN
        SELECT core.pseudonym(o.pseudonym_key, identifier) INTO old_hash FROM core.organizations AS o WHERE o.organization_id = org;
        UPDATE fact.audience_touches SET member_hash = replacement WHERE organization_id = org AND member_hash = old_hash;
        GET DIAGNOSTICS n = ROW_COUNT; changed := changed + n;
        UPDATE fact.audience_members SET member_hash = replacement WHERE organization_id = org AND member_hash = old_hash;
        GET DIAGNOSTICS n = ROW_COUNT; changed := changed + n;
        UPDATE fact.web_visits SET visitor_hash = replacement WHERE organization_id = org AND visitor_hash = old_hash;
        GET DIAGNOSTICS n = ROW_COUNT; changed := changed + n;
        DELETE FROM ingest.rejected_items WHERE organization_id = org AND position(convert_to(identifier, 'UTF8') IN raw) > 0;
        RETURN changed;
    END
    $function$;
