-- What the service's role may do. The service logs in as any role and switches to advocacy_service, which owns
-- nothing: row-level security (policies/tenant_isolation.sql) applies to every statement it runs.
-- Grain: the role's whole set of rights, revoked and granted again each time the definitions are applied, so
-- that this file, not the history of the database, says what the role may do.

REVOKE ALL ON ALL TABLES IN SCHEMA core, fact, ingest, kpi, rollup, meta FROM advocacy_service;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA core, fact, ingest, kpi, rollup, meta FROM advocacy_service;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA core, fact, ingest, kpi, rollup, meta FROM advocacy_service;

GRANT USAGE ON SCHEMA core, fact, ingest, kpi, rollup, meta TO advocacy_service;

-- Facts, reference data, ingestion's ledger and the rollups: read and written, one organisation at a time.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA core, fact, ingest, rollup TO advocacy_service;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA core, fact, ingest, rollup TO advocacy_service;
-- The key index is written by a trigger only (core.index_api_key, SECURITY DEFINER).
REVOKE INSERT, UPDATE, DELETE ON core.api_key_index FROM advocacy_service;
-- BI logins are the schema owner's to map (advocacy bi-login), never the service's.
REVOKE ALL ON core.reader_logins FROM advocacy_service;
-- The KPI catalog, the SSI bands and the migrations' record: read only.
GRANT SELECT ON ALL TABLES IN SCHEMA kpi, meta TO advocacy_service;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA core, ingest, kpi, rollup TO advocacy_service;
REVOKE EXECUTE ON FUNCTION core.grant_reader_login(name, uuid, boolean), core.revoke_reader_login(name) FROM advocacy_service;

-- Objects that a versioned migration creates before this file is applied again get the same rights.
ALTER DEFAULT PRIVILEGES IN SCHEMA core, fact, ingest GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO advocacy_service;
ALTER DEFAULT PRIVILEGES IN SCHEMA kpi GRANT SELECT ON TABLES TO advocacy_service;
ALTER DEFAULT PRIVILEGES IN SCHEMA core, ingest, kpi GRANT EXECUTE ON FUNCTIONS TO advocacy_service;
ALTER DEFAULT PRIVILEGES IN SCHEMA core, fact, ingest GRANT USAGE ON SEQUENCES TO advocacy_service;
