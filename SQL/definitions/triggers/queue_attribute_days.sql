-- The slices of the filtered views follow the current team, department, region and campaign: a change queues the
-- days of the posts it moves (rollup.queue_attribute_days). Rows whose values did not change fire nothing.
CREATE OR REPLACE TRIGGER queue_new_ambassador_days AFTER INSERT ON core.ambassadors
    FOR EACH ROW EXECUTE FUNCTION rollup.queue_attribute_days('poster', 'ambassador_id');

CREATE OR REPLACE TRIGGER queue_moved_ambassador_days AFTER UPDATE OF team, department, region ON core.ambassadors
    FOR EACH ROW WHEN ((OLD.team, OLD.department, OLD.region) IS DISTINCT FROM (NEW.team, NEW.department, NEW.region))
    EXECUTE FUNCTION rollup.queue_attribute_days('poster', 'ambassador_id');

CREATE OR REPLACE TRIGGER queue_new_content_days AFTER INSERT ON core.content_items
    FOR EACH ROW EXECUTE FUNCTION rollup.queue_attribute_days('content', 'content_id');

CREATE OR REPLACE TRIGGER queue_moved_content_days AFTER UPDATE OF campaign ON core.content_items
    FOR EACH ROW WHEN (OLD.campaign IS DISTINCT FROM NEW.campaign)
    EXECUTE FUNCTION rollup.queue_attribute_days('content', 'content_id');
