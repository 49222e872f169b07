-- The organisation the session's login is mapped to in core.reader_logins, or NULL. SECURITY DEFINER: BI logins
-- may not read the mapping itself, only learn their own organisation through it. Grain: one value per call.
CREATE OR REPLACE FUNCTION core.reader_organization()
 RETURNS uuid
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'core'
AS $function$
    SELECT r.organization_id FROM core.reader_logins AS r WHERE r.login = session_user
$function$;
