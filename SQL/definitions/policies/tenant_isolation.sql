-- Tenant isolation in the database itself: a row is visible and writable only when its organization_id is the
-- transaction's (core.current_organization(), set with set_config('app.organization_id', ..., true)). With no
-- organisation set, nothing is visible. Forced, so it applies to the tables' owner too (unless superuser).
-- Grain: one policy per table with an organization_id column in core, fact, ingest and rollup, except the key
-- index, which a request reads before it knows its organisation (it holds ids only, no secret), and the BI
-- logins' mapping, which core.current_organization() itself reads (neither role may read it).
-- The organisation is read once per statement: (SELECT core.current_organization()) is an init plan.
DO $$
DECLARE
    keyed regclass;
BEGIN
    FOR keyed IN
        SELECT c.oid::regclass
        FROM pg_catalog.pg_class AS c
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attname = 'organization_id' AND NOT a.attisdropped
        WHERE c.relkind = 'r'
          AND n.nspname IN ('core', 'fact', 'ingest', 'rollup')
          AND c.oid NOT IN ('core.api_key_index'::regclass, 'core.reader_logins'::regclass)
    LOOP
        EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', keyed);
        EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', keyed);
        EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON %s', keyed);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %s '
            'USING (organization_id = (SELECT core.current_organization())) '
            'WITH CHECK (organization_id = (SELECT core.current_organization()))', keyed);
    END LOOP;
END
$$;
