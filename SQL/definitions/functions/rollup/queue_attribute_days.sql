-- A change of an ambassador's team, department or region, or of a content item's campaign, moves its posts to
-- other slices (rollup.slice_days keeps them by the current values): every day it has posts is queued. A new
-- ambassador or item may have posts already (stored under an unknown value): its days are queued too. Trigger
-- arguments: the rollup.entity_days kind and the column holding the entity's id. Grain: one changed row (a row
-- trigger, fired only when one of those values changed).
CREATE OR REPLACE FUNCTION rollup.queue_attribute_days()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
    BEGIN
        INSERT INTO rollup.dirty_days (organization_id, day)
        SELECT e.organization_id, e.day
        FROM rollup.entity_days AS e
        WHERE e.organization_id = NEW.organization_id
          AND e.kind = TG_ARGV[0]
          AND e.entity = convert_to(to_jsonb(NEW) ->> TG_ARGV[1], 'UTF8');
        RETURN NULL;
    END
    $function$;
