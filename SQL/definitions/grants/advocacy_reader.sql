-- What a BI tool (Metabase, Grafana, psql) may read, through a login role that is a member of advocacy_reader
-- and mapped to one organisation (core.grant_reader_login): the facts, the reference data, the rollups and every
-- KPI function; never API keys, sessions, the audit log, the pseudonym key, ingestion's ledger and refused
-- items, or candidate references (those are advocacy_hr_reader's). Row-level security applies, with the
-- organisation taken from the login's mapping, not from any setting the login controls.
-- Grain: the role's whole set of rights, revoked and granted again each time the definitions are applied.

REVOKE ALL ON ALL TABLES IN SCHEMA core, fact, ingest, kpi, rollup, meta FROM advocacy_reader;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA core, fact, ingest, kpi, rollup, meta FROM advocacy_reader;

GRANT USAGE ON SCHEMA core, fact, ingest, kpi, rollup TO advocacy_reader;

GRANT SELECT ON ALL TABLES IN SCHEMA core, fact, kpi, rollup TO advocacy_reader;
REVOKE SELECT ON core.api_keys, core.api_key_index, core.audit_log, core.tenant_counters, core.sessions, core.reader_logins
    FROM advocacy_reader;
-- Never the pseudonym key: with it, visitor and audience hashes could be matched against guessed identifiers.
REVOKE SELECT ON core.organizations FROM advocacy_reader;
GRANT SELECT (organization_id, slug, name, currency, time_zone, careers_host, careers_path, created_at,
              lead_conversion_window_days, hire_conversion_window_days, ambassadors_see_names)
    ON core.organizations TO advocacy_reader;
-- The candidate reference, the one field naming a candidate, only for logins also granted advocacy_hr_reader.
-- The rest of an application (ids of the ATS, job, channel, ambassador, dates) stays readable: the hiring KPIs
-- compute from it while days are still queued for the rollups.
REVOKE SELECT ON fact.applications FROM advocacy_reader;
GRANT SELECT (organization_id, application_id, job_id, applied_at, source_channel, ambassador_id, source_occurred_at,
              source_event_id)
    ON fact.applications TO advocacy_reader;
-- Links issued for posts: they attribute visits (kpi.attributed_visits).
GRANT SELECT ON ingest.tracked_links TO advocacy_reader;

-- Every KPI, and the rollup look-ups the KPI functions make; the row-level security policies call
-- core.current_organization.
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA kpi TO advocacy_reader;
GRANT EXECUTE ON FUNCTION core.current_organization(), core.reader_organization() TO advocacy_reader;
GRANT EXECUTE ON FUNCTION
    rollup.ambassador_totals(uuid, date, date),
    rollup.content_totals(uuid, date, date),
    rollup.daily_buckets(uuid, date, date, text),
    rollup.distinct_entities(uuid, text, date, date),
    rollup.distinct_entities_by_bucket(uuid, text, date, date, text),
    rollup.poster_zeros(uuid),
    rollup.posts_per_ambassador(uuid, date, date),
    rollup.settled(uuid, date),
    rollup.slice_breakdown(uuid, date, date, text, text, text, boolean),
    rollup.slice_entity_totals(uuid, date, date, text, text, text, text),
    rollup.slice_of(text, text, text, text, text, text),
    rollup.slice_series(uuid, date, date, text, text, text, text),
    rollup.visit_slice_series(uuid, date, date, text, text, text, text, text, text, text, text, text),
    rollup.widened(varbit, varbit)
    TO advocacy_reader;

