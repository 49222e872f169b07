-- 0007: tenant isolation in the database itself, so that one query that forgets its organisation filter
-- cannot read or write another organisation's rows.
--
-- The service runs as the role advocacy_service, which owns nothing, and sets the organisation of each
-- transaction with set_config('app.organization_id', ..., true). Every table keyed by organization_id has
-- row-level security, forced (it applies to the owner too, unless the owner is a superuser), with one rule:
-- a row is visible and writable only when its organization_id is the transaction's. With no organisation
-- set, nothing is visible. Migrations and the command line run as the owner.

CREATE FUNCTION core.current_organization() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('app.organization_id', true), '')::uuid $$;

-- Finding a key's organisation comes before any organisation is set: this index holds ids only, no secret,
-- and is the one tenant-free table the service reads.
CREATE TABLE core.api_key_index (
    key_id          uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES core.organizations ON DELETE CASCADE
);

INSERT INTO core.api_key_index (key_id, organization_id) SELECT key_id, organization_id FROM core.api_keys;

CREATE FUNCTION core.index_api_key() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, core
    AS $$
    BEGIN
        INSERT INTO core.api_key_index (key_id, organization_id) VALUES (NEW.key_id, NEW.organization_id);
        RETURN NEW;
    END
    $$;

CREATE TRIGGER api_keys_indexed AFTER INSERT ON core.api_keys FOR EACH ROW EXECUTE FUNCTION core.index_api_key();

DO $$
BEGIN
    CREATE ROLE advocacy_service NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;  -- roles belong to the cluster: another database's migration made it
END
$$;

-- Every table with an organization_id column in core, fact and ingest gets the rule.
DO $$
DECLARE
    keyed regclass;
BEGIN
    FOR keyed IN
        SELECT c.oid::regclass
        FROM pg_catalog.pg_class AS c
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attname = 'organization_id' AND NOT a.attisdropped
        WHERE c.relkind = 'r' AND n.nspname IN ('core', 'fact', 'ingest') AND c.relname <> 'api_key_index'
    LOOP
        EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', keyed);
        EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', keyed);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %s USING (organization_id = core.current_organization()) '
            'WITH CHECK (organization_id = core.current_organization())', keyed);
    END LOOP;
END
$$;

GRANT USAGE ON SCHEMA core, fact, ingest, kpi, meta TO advocacy_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA core, fact, ingest TO advocacy_service;
GRANT SELECT ON ALL TABLES IN SCHEMA kpi, meta TO advocacy_service;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA core, fact, ingest TO advocacy_service;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA core, ingest, kpi TO advocacy_service;
REVOKE INSERT, UPDATE, DELETE ON core.api_key_index FROM advocacy_service;
-- Tables and functions of later migrations get the same rights.
ALTER DEFAULT PRIVILEGES IN SCHEMA core, fact, ingest GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO advocacy_service;
ALTER DEFAULT PRIVILEGES IN SCHEMA kpi GRANT SELECT ON TABLES TO advocacy_service;
ALTER DEFAULT PRIVILEGES IN SCHEMA core, ingest, kpi GRANT EXECUTE ON FUNCTIONS TO advocacy_service;
ALTER DEFAULT PRIVILEGES IN SCHEMA core, fact, ingest GRANT USAGE ON SEQUENCES TO advocacy_service;
