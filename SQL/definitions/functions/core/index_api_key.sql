-- Trigger function of api_keys_indexed: records a new key's id and organisation in core.api_key_index (SECURITY
-- DEFINER: the service role may not write that table). Grain: one row per key.
CREATE OR REPLACE FUNCTION core.index_api_key()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'core'
AS $function$
    BEGIN
        INSERT INTO core.api_key_index (key_id, organization_id) VALUES (NEW.key_id, NEW.organization_id);
        RETURN NEW;
    END
    $function$;
