-- Refused items and audit entries are numbered per organisation (core.take_tenant_id), not by a sequence
-- shared by all tenants. Grain: one number per inserted row.
CREATE OR REPLACE TRIGGER tenant_numbered BEFORE INSERT ON ingest.rejected_items
    FOR EACH ROW EXECUTE FUNCTION core.take_tenant_id('rejection');

CREATE OR REPLACE TRIGGER tenant_numbered BEFORE INSERT ON core.audit_log
    FOR EACH ROW EXECUTE FUNCTION core.take_tenant_id('audit');
