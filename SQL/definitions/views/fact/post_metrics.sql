-- The latest metrics of each post: its observation with the greatest observed_at, whatever the order in which
-- observations arrived. Grain: one row per post with at least one observation. The KPIs and BI tools read it;
-- row-level security of fact.post_metric_observations applies to whoever reads it (security_invoker).
CREATE OR REPLACE VIEW fact.post_metrics WITH (security_invoker = true) AS
    SELECT DISTINCT ON (m.organization_id, m.post_id) m.*
    FROM fact.post_metric_observations AS m
    ORDER BY m.organization_id, m.post_id, m.observed_at DESC;

COMMENT ON VIEW fact.post_metrics IS
    'The latest observation of each post (greatest observed_at): the metrics the KPIs read. Row-level security of '
    'fact.post_metric_observations applies to whoever reads it (security_invoker).';
