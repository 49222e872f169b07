-- What a BI tool (Metabase, Grafana, psql) may read, through a login role that is a member of advocacy_reader:
-- the facts, the reference data, the rollups and every KPI function; never API keys, the audit log, or
-- ingestion's ledger and refused items. Row-level security applies as for the service.
-- Grain: the role's whole set of rights, revoked and granted again each time the definitions are applied.

REVOKE ALL ON ALL TABLES IN SCHEMA core, fact, ingest, kpi, rollup, meta FROM advocacy_reader;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA core, fact, ingest, kpi, rollup, meta FROM advocacy_reader;

GRANT USAGE ON SCHEMA core, fact, ingest, kpi, rollup TO advocacy_reader;

GRANT SELECT ON ALL TABLES IN SCHEMA core, fact, kpi, rollup TO advocacy_reader;
REVOKE SELECT ON core.api_keys, core.api_key_index, core.audit_log, core.tenant_counters, core.sessions FROM advocacy_reader;
-- Links issued for posts: they attribute visits (kpi.attributed_visits).
GRANT SELECT ON ingest.tracked_links TO advocacy_reader;

-- Every KPI, and the rollup look-ups the KPI functions make; the row-level security policies call
-- core.current_organization.
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA kpi TO advocacy_reader;
GRANT EXECUTE ON FUNCTION core.current_organization() TO advocacy_reader;
GRANT EXECUTE ON FUNCTION
    rollup.ambassador_totals(uuid, date, date),
    rollup.content_totals(uuid, date, date),
    rollup.daily_buckets(uuid, date, date, text),
    rollup.distinct_entities(uuid, text, date, date),
    rollup.distinct_entities_by_bucket(uuid, text, date, date, text),
    rollup.network_totals(uuid, date, date),
    rollup.posts_per_ambassador(uuid, date, date)
    TO advocacy_reader;
