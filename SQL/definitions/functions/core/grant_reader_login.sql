-- Makes `login` a BI login of `organization` (advocacy bi-login): creates the role when it does not exist (LOGIN,
-- no password: set one with psql's \password), makes it a member of advocacy_reader, and of advocacy_hr_reader
-- exactly when `hr`, and maps it to the organisation (a login belongs to one organisation; mapping it again
-- moves it). Run by the schema's owner, which needs CREATEROLE; executable by no other role.
-- Grain: one login.
CREATE OR REPLACE FUNCTION core.grant_reader_login(login name, organization uuid, hr boolean)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
    BEGIN
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles AS r WHERE r.rolname = login) THEN
            EXECUTE format('CREATE ROLE %I LOGIN', login);
        END IF;
        IF EXISTS (SELECT FROM pg_catalog.pg_roles AS r WHERE r.rolname = login AND (r.rolsuper OR r.rolbypassrls)) THEN
            RAISE EXCEPTION 'role % bypasses row-level security: it cannot be a BI login', login
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        EXECUTE format('GRANT advocacy_reader TO %I', login);
        IF hr THEN
            EXECUTE format('GRANT advocacy_hr_reader TO %I', login);
        ELSE
            EXECUTE format('REVOKE advocacy_hr_reader FROM %I', login);
        END IF;
        INSERT INTO core.reader_logins AS r (login, organization_id) VALUES (login, organization)
        ON CONFLICT ON CONSTRAINT reader_logins_pkey DO UPDATE SET organization_id = excluded.organization_id;
    END
$function$;
