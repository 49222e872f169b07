-- Ends a BI login (advocacy bi-login --remove): no longer a member of advocacy_reader or advocacy_hr_reader, no
-- longer mapped to an organisation. The role itself stays (it may have other uses); drop it with DROP ROLE.
-- Returns whether the login was mapped. Grain: one login.
CREATE OR REPLACE FUNCTION core.revoke_reader_login(login name)
 RETURNS boolean
 LANGUAGE plpgsql
AS $function$
    DECLARE
        removed integer;
    BEGIN
        IF EXISTS (SELECT FROM pg_catalog.pg_roles AS r WHERE r.rolname = login) THEN
            EXECUTE format('REVOKE advocacy_reader FROM %I', login);
            EXECUTE format('REVOKE advocacy_hr_reader FROM %I', login);
        END IF;
        DELETE FROM core.reader_logins AS r WHERE r.login = revoke_reader_login.login;
        GET DIAGNOSTICS removed = ROW_COUNT;
        RETURN removed > 0;
    END
$function$;
