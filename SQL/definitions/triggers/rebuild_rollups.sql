-- A new time zone moves every fact to another day, a new currency changes every value: the organisation's
-- rollups are rebuilt. Grain: one rebuild per changed organisation.
CREATE OR REPLACE TRIGGER rebuild_rollups AFTER UPDATE OF time_zone, currency ON core.organizations
    FOR EACH ROW WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone OR OLD.currency IS DISTINCT FROM NEW.currency)
    EXECUTE FUNCTION rollup.rebuild_changed_organization();
