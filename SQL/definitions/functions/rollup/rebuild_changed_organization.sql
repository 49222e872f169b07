-- Days are calendar days in the organisation's time zone, values in its currency: changing either rebuilds its
-- rollups.
CREATE OR REPLACE FUNCTION rollup.rebuild_changed_organization()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
    BEGIN
        PERFORM rollup.rebuild(NEW.organization_id);
        RETURN NULL;
    END
    $function$;
