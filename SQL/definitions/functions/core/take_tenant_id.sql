-- Trigger function of tenant_numbered: gives a new refused item or audit entry the next number of its own
-- organisation (the counter row is locked until the transaction ends, so numbers are unique and, once
-- committed, gapless per organisation). Whatever id the insert named is replaced.
-- Grain: one number per inserted row.
CREATE OR REPLACE FUNCTION core.take_tenant_id()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
    DECLARE
        taken bigint;
    BEGIN
        INSERT INTO core.tenant_counters AS c (organization_id, counter, last_value)
        VALUES (NEW.organization_id, TG_ARGV[0], 1)
        ON CONFLICT (organization_id, counter) DO UPDATE SET last_value = c.last_value + 1
        RETURNING c.last_value INTO taken;
        IF TG_ARGV[0] = 'rejection' THEN
            NEW.rejection_id := taken;
        ELSE
            NEW.audit_id := taken;
        END IF;
        RETURN NEW;
    END
    $function$;
