-- 0016: a post's latest metrics are read from its observations, not kept in a second table.
--
-- Ingestion wrote every metrics event twice: the observation, then an upsert of the post's row in
-- fact.post_metrics (a look-up, a row lock, a new row version and its WAL). Under the ingestion benchmark
-- that upsert was a fifth of the database's work per event (README, "Ingestion throughput"). The latest
-- observation of a post is one step down the observations' primary key (organization_id, post_id,
-- observed_at): fact.post_metrics becomes a view of it, so the KPIs, the BI tools and the tests read it as
-- before, and it can no longer disagree with the observations. A late observation still never replaces a
-- newer one: the latest is the greatest observed_at, whatever the order of arrival.

DROP TABLE fact.post_metrics;  -- its queueing triggers go with it
DROP FUNCTION rollup.queue_days_of_fact_post_metrics();

CREATE VIEW fact.post_metrics WITH (security_invoker = true) AS
    SELECT DISTINCT ON (m.organization_id, m.post_id) m.*
    FROM fact.post_metric_observations AS m
    ORDER BY m.organization_id, m.post_id, m.observed_at DESC;

COMMENT ON VIEW fact.post_metrics IS
    'The latest observation of each post (greatest observed_at): the metrics the KPIs read. Row-level security of '
    'fact.post_metric_observations applies to whoever reads it (security_invoker).';

GRANT SELECT ON fact.post_metrics TO advocacy_service, advocacy_reader;

-- A new or corrected observation may change its post's latest metrics: its post's day is recomputed.
SELECT rollup.watch('fact.post_metric_observations', $q$
    SELECT p.organization_id, (p.posted_at AT TIME ZONE o.time_zone)::date
    FROM $rows AS r JOIN fact.posts AS p USING (organization_id, post_id) JOIN core.organizations AS o USING (organization_id)
$q$);

-- The observations only (0012 without its second statement).
CREATE OR REPLACE FUNCTION ingest.upsert_post_metrics(
    org uuid, event_ids text[], occurred timestamptz[], post_ids text[], observed timestamptz[],
    impressions bigint[], members_reached bigint[], reactions bigint[], comments bigint[], reshares bigint[],
    clicks bigint[], saves bigint[], sends bigint[], followers_gained bigint[]
) RETURNS void
    LANGUAGE plpgsql
    AS $$
    BEGIN
        INSERT INTO fact.post_metric_observations (organization_id, post_id, observed_at, impressions, members_reached,
            reactions, comments, reshares, clicks, saves, sends, followers_gained, source_occurred_at, source_event_id)
        SELECT org, b.post_id, b.observed_at, b.impressions, b.members_reached, b.reactions, b.comments, b.reshares,
               b.clicks, b.saves, b.sends, b.followers_gained, b.occurred_at, b.event_id
        FROM ingest.post_metric_rows(event_ids, occurred, post_ids, observed, impressions, members_reached, reactions,
                                     comments, reshares, clicks, saves, sends, followers_gained) AS b;
    EXCEPTION WHEN unique_violation THEN
        -- The same post and observed_at again (a correction, or a retry under another event id): the newer
        -- event's counters win.
        INSERT INTO fact.post_metric_observations AS t (organization_id, post_id, observed_at, impressions, members_reached,
            reactions, comments, reshares, clicks, saves, sends, followers_gained, source_occurred_at, source_event_id)
        SELECT org, b.post_id, b.observed_at, b.impressions, b.members_reached, b.reactions, b.comments, b.reshares,
               b.clicks, b.saves, b.sends, b.followers_gained, b.occurred_at, b.event_id
        FROM ingest.post_metric_rows(event_ids, occurred, post_ids, observed, impressions, members_reached, reactions,
                                     comments, reshares, clicks, saves, sends, followers_gained) AS b
        ON CONFLICT (organization_id, post_id, observed_at) DO UPDATE
        SET impressions = excluded.impressions, members_reached = excluded.members_reached,
            reactions = excluded.reactions, comments = excluded.comments, reshares = excluded.reshares,
            clicks = excluded.clicks, saves = excluded.saves, sends = excluded.sends,
            followers_gained = excluded.followers_gained, source_occurred_at = excluded.source_occurred_at,
            source_event_id = excluded.source_event_id
        WHERE (excluded.source_occurred_at, excluded.source_event_id) > (t.source_occurred_at, t.source_event_id);
    END
    $$;

-- Each post of [from, to] with its latest metrics and its EMV, as in 0010; the latest observation of each
-- post is looked up down the primary key (the view would sort every observation of the organisation).
CREATE OR REPLACE FUNCTION kpi.post_values(org uuid, from_date date, to_date date)
    RETURNS TABLE (post_id text, ambassador_id text, network text, content_id text, posted_on date, impressions bigint,
                   members_reached bigint, reactions bigint, comments bigint, reshares bigint, clicks bigint,
                   impressions_value numeric, clicks_value numeric, engagement_value numeric, priced boolean)
    LANGUAGE sql STABLE
    AS $$
        WITH organization AS (
            SELECT o.time_zone, o.currency, (from_date::timestamp AT TIME ZONE o.time_zone) AS starts_at,
                   ((to_date + 1)::timestamp AT TIME ZONE o.time_zone) AS ends_at
            FROM core.organizations AS o
            WHERE o.organization_id = org
        ),
        cards AS (
            SELECT c.*, lead(c.effective_from) OVER (PARTITION BY c.network ORDER BY c.effective_from) AS superseded_on
            FROM core.emv_rate_cards AS c
            WHERE c.organization_id = org AND c.currency = (SELECT currency FROM organization)
        ),
        posts AS (
            SELECT p.post_id, p.ambassador_id, p.network, p.content_id,
                   (p.posted_at AT TIME ZONE (SELECT time_zone FROM organization))::date AS posted_on,
                   coalesce(m.impressions, 0) AS impressions, coalesce(m.members_reached, 0) AS members_reached,
                   coalesce(m.reactions, 0) AS reactions, coalesce(m.comments, 0) AS comments,
                   coalesce(m.reshares, 0) AS reshares, coalesce(m.clicks, 0) AS clicks
            FROM fact.posts AS p
            LEFT JOIN LATERAL (
                SELECT m.impressions, m.members_reached, m.reactions, m.comments, m.reshares, m.clicks
                FROM fact.post_metric_observations AS m
                WHERE m.organization_id = org AND m.post_id = p.post_id
                ORDER BY m.observed_at DESC
                LIMIT 1
            ) AS m ON true
            WHERE p.organization_id = org
              AND p.posted_at >= (SELECT starts_at FROM organization) AND p.posted_at < (SELECT ends_at FROM organization)
        )
        SELECT p.post_id, p.ambassador_id, p.network::text, p.content_id, p.posted_on,
               p.impressions, p.members_reached, p.reactions, p.comments, p.reshares, p.clicks,
               p.impressions / 1000.0 * r.cpm, p.clicks * r.cpc,
               p.reactions * r.cost_per_reaction + p.comments * r.cost_per_comment + p.reshares * r.cost_per_reshare,
               r.cpm IS NOT NULL
        FROM posts AS p
        LEFT JOIN cards AS r
               ON r.network = p.network AND r.effective_from <= p.posted_on AND (r.superseded_on IS NULL OR p.posted_on < r.superseded_on)
    $$;
