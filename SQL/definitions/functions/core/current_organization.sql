-- The organisation whose rows the tenant_isolation policies let through, or NULL (nothing). For a member of
-- advocacy_reader (a BI login), the organisation its login is mapped to in core.reader_logins: session_user,
-- which SET ROLE cannot change, and no setting the login controls. For the service, the organisation of the
-- current transaction (set_config('app.organization_id', ..., true)). Grain: one value per call.
CREATE OR REPLACE FUNCTION core.current_organization()
 RETURNS uuid
 LANGUAGE sql
 STABLE
AS $function$
    SELECT CASE
        WHEN pg_catalog.pg_has_role(current_user, 'advocacy_reader', 'MEMBER') THEN core.reader_organization()
        ELSE nullif(pg_catalog.current_setting('app.organization_id', true), '')::uuid
    END
$function$;
