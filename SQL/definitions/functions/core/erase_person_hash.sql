-- Erases an audience member or a web visitor, by the identifier the sources send: its keyed hash is replaced by
-- random bytes everywhere, so distinct counts and first touches stay as they were; the ids of its visits and
-- touches and of the events that brought them take their erased form (core.erase_event_ids), its visits'
-- landing URLs lose their query string and fragment (the UTM parameters stay in their columns), and refused
-- items naming it go. Returns how many rows changed. Grain: one person.
CREATE OR REPLACE FUNCTION core.erase_person_hash(org uuid, identifier text)
 RETURNS bigint
 LANGUAGE plpgsql
AS $function$
    DECLARE
        old_hash bytea;
        replacement bytea := core.random_key();
        ids text[];
        changed bigint := 0;
        n bigint;
    BEGIN
        SELECT core.pseudonym(o.pseudonym_key, identifier) INTO old_hash FROM core.organizations AS o WHERE o.organization_id = org;
        ids := ARRAY(
            SELECT t.touch_id FROM fact.audience_touches AS t WHERE t.organization_id = org AND t.member_hash = old_hash
            UNION ALL
            SELECT unnest(ARRAY[v.visit_id, v.source_event_id]) FROM fact.web_visits AS v
            WHERE v.organization_id = org AND v.visitor_hash = old_hash
        );
        UPDATE fact.audience_touches SET member_hash = replacement WHERE organization_id = org AND member_hash = old_hash;
        GET DIAGNOSTICS n = ROW_COUNT; changed := changed + n;
        UPDATE fact.audience_members SET member_hash = replacement WHERE organization_id = org AND member_hash = old_hash;
        GET DIAGNOSTICS n = ROW_COUNT; changed := changed + n;
        UPDATE fact.web_visits SET visitor_hash = replacement, landing_url = regexp_replace(landing_url, '[?#].*$', '')
        WHERE organization_id = org AND visitor_hash = old_hash;
        GET DIAGNOSTICS n = ROW_COUNT; changed := changed + n;
        PERFORM core.erase_event_ids(org, ids);
        DELETE FROM ingest.rejected_items
        WHERE organization_id = org AND identifiers && (ARRAY[identifier] || ids);
        RETURN changed;
    END
    $function$;
