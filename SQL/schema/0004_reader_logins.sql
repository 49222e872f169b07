-- BI logins (Metabase, Grafana, psql) are bound to one organisation by the database: this table maps each login
-- role to its organisation, and core.current_organization() reads it for every member of advocacy_reader
-- instead of the app.organization_id setting, which a login could change. Maintained with
-- core.grant_reader_login (advocacy bi-login). Not under tenant isolation: the policies themselves read it.
CREATE TABLE core.reader_logins (
    login           name PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES core.organizations ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- Candidate-level rows (applications with their candidate references and stage histories) are for BI logins
-- that are also granted this role; advocacy_reader alone sees hiring as aggregates only.
DO $$
BEGIN
    CREATE ROLE advocacy_hr_reader NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;  -- roles belong to the cluster: another database's migration, maybe running right now, made it
END
$$;
