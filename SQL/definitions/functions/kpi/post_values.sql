-- Each post of [from, to] with its latest metrics (none: zeros) and its earned media value, each part valued with
-- the rate card of its network in force on its day, in the organisation's currency; with `ambassador`, that
-- ambassador's posts only, read down their index. The latest observation of a post is looked up down the primary
-- key. Grain: one row per post.
CREATE OR REPLACE FUNCTION kpi.post_values(org uuid, from_date date, to_date date, ambassador text DEFAULT NULL::text)
 RETURNS TABLE(post_id text, ambassador_id text, network text, content_id text, posted_on date, impressions bigint, members_reached bigint, reactions bigint, comments bigint, reshares bigint, clicks bigint, impressions_value numeric, clicks_value numeric, engagement_value numeric, priced boolean)
 LANGUAGE sql
 STABLE
AS $function$
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
              AND (ambassador IS NULL OR p.ambassador_id = ambassador)
        )
        SELECT p.post_id, p.ambassador_id, p.network::text, p.content_id, p.posted_on,
               p.impressions, p.members_reached, p.reactions, p.comments, p.reshares, p.clicks,
               p.impressions / 1000.0 * r.cpm, p.clicks * r.cpc,
               p.reactions * r.cost_per_reaction + p.comments * r.cost_per_comment + p.reshares * r.cost_per_reshare,
               r.cpm IS NOT NULL
        FROM posts AS p
        LEFT JOIN cards AS r
               ON r.network = p.network AND r.effective_from <= p.posted_on AND (r.superseded_on IS NULL OR p.posted_on < r.superseded_on)
    $function$;
