-- PUBLIC (every role of the cluster) may execute no function of the service's schemas: PostgreSQL grants
-- EXECUTE to PUBLIC on every new function, and some list every tenant (rollup.organizations_to_maintain) or
-- write. Each role is granted what it needs in its own file.
-- Grain: every function of core, fact, ingest, kpi, rollup and meta, revoked each time the definitions are applied.
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA core, fact, ingest, kpi, rollup, meta FROM PUBLIC;
REVOKE ALL ON SCHEMA core, fact, ingest, kpi, rollup, meta FROM PUBLIC;
