-- Trigger function of rebuild_rollups: days are calendar days in the organisation's time zone, values in its
-- currency, so changing either rebuilds its rollups. Grain: one organisation.
CREATE OR REPLACE FUNCTION rollup.rebuild_changed_organization()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
    BEGIN
        PERFORM rollup.rebuild(NEW.organization_id);
        RETURN NULL;
    END
    $function$;
