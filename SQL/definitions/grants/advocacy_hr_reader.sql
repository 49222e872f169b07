-- What a BI login of HR may read besides advocacy_reader's: the candidate references of the applications, under
-- the same row-level security. Granted to a login with
-- advocacy bi-login --hr. Grain: the role's whole set of rights, revoked and granted again each time the
-- definitions are applied.

REVOKE ALL ON ALL TABLES IN SCHEMA core, fact, ingest, kpi, rollup, meta FROM advocacy_hr_reader;

GRANT USAGE ON SCHEMA fact TO advocacy_hr_reader;
GRANT SELECT ON fact.applications TO advocacy_hr_reader;
