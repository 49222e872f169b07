-- Refused items and audit entries are numbered per organisation (1, 2, 3, ... within each), so an id says
-- nothing about other tenants' volume, as the gaps of one global sequence did. The numbers are taken by
-- the trigger core.take_tenant_id from core.tenant_counters, one row per organisation and counter.
CREATE TABLE core.tenant_counters (
    organization_id uuid NOT NULL REFERENCES core.organizations ON DELETE CASCADE,
    counter         text NOT NULL CHECK (counter IN ('rejection', 'audit')),
    last_value      bigint NOT NULL CHECK (last_value > 0),
    PRIMARY KEY (organization_id, counter)
);

ALTER TABLE ingest.rejected_items ALTER COLUMN rejection_id DROP IDENTITY;
ALTER TABLE core.audit_log ALTER COLUMN audit_id DROP IDENTITY;

-- Existing rows keep their numbers; each organisation's counter goes on from its highest.
INSERT INTO core.tenant_counters (organization_id, counter, last_value)
SELECT organization_id, 'rejection', max(rejection_id) FROM ingest.rejected_items GROUP BY organization_id
UNION ALL
SELECT organization_id, 'audit', max(audit_id) FROM core.audit_log GROUP BY organization_id;
