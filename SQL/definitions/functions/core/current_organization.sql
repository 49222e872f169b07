-- The organisation of the current transaction (set_config('app.organization_id', ..., true)), or NULL: what the
-- tenant_isolation policies compare every row with. Grain: one value per call.
CREATE OR REPLACE FUNCTION core.current_organization()
 RETURNS uuid
 LANGUAGE sql
 STABLE
AS $function$ SELECT nullif(current_setting('app.organization_id', true), '')::uuid $function$;
