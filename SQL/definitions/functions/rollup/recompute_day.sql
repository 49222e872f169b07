-- Recomputes one queued day of an organisation from the raw facts: its rollup.daily row and the entities seen that
-- day (rollup.entity_days, rollup.entities_seen). An entity's previous and next day seen are looked up with
-- equalities and a range on the day, which the primary key serves as well under the tenant policy as without it.
-- Grain: one organisation-day.
CREATE OR REPLACE FUNCTION rollup.recompute_day(org uuid, d date)
 RETURNS bytea[]
 LANGUAGE plpgsql
 SET enable_hashjoin TO 'off'
 SET enable_mergejoin TO 'off'
 SET jit TO 'off'
 SET plan_cache_mode TO 'force_custom_plan'
AS $function$
    DECLARE
        changed_posters bytea[];
    BEGIN
        DELETE FROM rollup.daily WHERE organization_id = org AND day = d;
        INSERT INTO rollup.daily
        SELECT org, d, p.posts, p.shares, p.impressions, p.members_reached, p.engagements, p.impressions_value, p.clicks_value,
               p.engagement_value, p.unpriced_posts, p.potential_reach, p.posts_without_count,
               v.visits, v.advocacy_visits, v.attributed_visits, v.careers_visits, v.careers_advocacy_visits,
               l.advocacy_leads, l.advocacy_won, l.other_leads, l.other_won, l.estimated_value, l.won_value,
               a.advocacy_applications, a.advocacy_hired, a.other_applications, a.other_hired, a.advocacy_days, a.other_days,
               s.ambassadors, s.total, s.above_75,
               l.advocacy_open, l.advocacy_days_to_win, l.other_days_to_win, a.advocacy_open
        FROM (
            SELECT count(*) AS posts, count(p.content_id) AS shares, coalesce(sum(p.impressions), 0) AS impressions,
                   coalesce(sum(p.members_reached), 0) AS members_reached,
                   coalesce(sum(p.reactions + p.comments + p.reshares + p.clicks), 0) AS engagements,
                   coalesce(sum(p.impressions_value), 0) AS impressions_value, coalesce(sum(p.clicks_value), 0) AS clicks_value,
                   coalesce(sum(p.engagement_value), 0) AS engagement_value, count(*) FILTER (WHERE NOT p.priced) AS unpriced_posts,
                   coalesce(sum(n.connection_count), 0) AS potential_reach,
                   count(*) FILTER (WHERE n.connection_count IS NULL) AS posts_without_count
            FROM kpi.post_values(org, d, d) AS p
            LEFT JOIN core.ambassador_networks AS n
                   ON n.organization_id = org AND n.ambassador_id = p.ambassador_id AND n.network::text = p.network
        ) AS p,
        (
            SELECT count(*) AS visits, count(*) FILTER (WHERE v.is_advocacy) AS advocacy_visits,
                   count(*) FILTER (WHERE v.ambassador_id IS NOT NULL) AS attributed_visits,
                   count(*) FILTER (WHERE v.careers) AS careers_visits,
                   count(*) FILTER (WHERE v.careers AND v.is_advocacy) AS careers_advocacy_visits
            FROM kpi.attributed_visits(org, d, d) AS v
        ) AS v,
        (
            SELECT count(*) FILTER (WHERE advocacy) AS advocacy_leads, count(*) FILTER (WHERE advocacy AND won) AS advocacy_won,
                   count(*) FILTER (WHERE NOT advocacy) AS other_leads, count(*) FILTER (WHERE NOT advocacy AND won) AS other_won,
                   coalesce(sum(estimated_value) FILTER (WHERE advocacy), 0) AS estimated_value,
                   coalesce(sum(won_value) FILTER (WHERE advocacy), 0) AS won_value,
                   count(*) FILTER (WHERE advocacy AND open) AS advocacy_open,
                   coalesce(array_agg(days_to_win) FILTER (WHERE advocacy AND won), '{}') AS advocacy_days_to_win,
                   coalesce(array_agg(days_to_win) FILTER (WHERE NOT advocacy AND won), '{}') AS other_days_to_win
            FROM kpi.period_leads(org, d, d)
        ) AS l,
        (
            SELECT count(*) FILTER (WHERE advocacy) AS advocacy_applications, count(*) FILTER (WHERE advocacy AND hired) AS advocacy_hired,
                   count(*) FILTER (WHERE NOT advocacy) AS other_applications, count(*) FILTER (WHERE NOT advocacy AND hired) AS other_hired,
                   coalesce(array_agg(days_to_hire) FILTER (WHERE advocacy AND hired), '{}') AS advocacy_days,
                   coalesce(array_agg(days_to_hire) FILTER (WHERE NOT advocacy AND hired), '{}') AS other_days,
                   count(*) FILTER (WHERE advocacy AND open) AS advocacy_open
            FROM kpi.period_applications(org, d, d)
        ) AS a,
        (
            SELECT count(*) FILTER (WHERE p.total_score IS NULL) AS ambassadors,
                   coalesce(sum(s.total_score - coalesce(p.total_score, 0)), 0) AS total,
                   coalesce(sum((s.total_score > 75)::integer - coalesce((p.total_score > 75)::integer, 0)), 0) AS above_75
            FROM fact.ssi_snapshots AS s
            LEFT JOIN LATERAL (
                SELECT x.total_score FROM fact.ssi_snapshots AS x
                WHERE x.organization_id = org AND x.ambassador_id = s.ambassador_id AND x.snapshot_date < d
                ORDER BY x.snapshot_date DESC LIMIT 1
            ) AS p ON true
            WHERE s.organization_id = org AND s.snapshot_date = d
        ) AS s;

        -- Who was seen that day, against what the rollup knew; apply the difference, and queue the next day
        -- of every entity that appeared or disappeared, whose gap changes.
        WITH bounds AS (
            SELECT (d::timestamp AT TIME ZONE o.time_zone) AS starts_at, ((d + 1)::timestamp AT TIME ZONE o.time_zone) AS ends_at
            FROM core.organizations AS o WHERE o.organization_id = org
        ),
        fresh AS (
            SELECT 'poster' AS kind, convert_to(p.ambassador_id, 'UTF8') AS entity, count(*)::integer AS facts
            FROM bounds AS b JOIN fact.posts AS p ON p.organization_id = org AND p.posted_at >= b.starts_at AND p.posted_at < b.ends_at
            GROUP BY p.ambassador_id
            UNION ALL
            SELECT 'content', convert_to(p.content_id, 'UTF8'), count(*)::integer
            FROM bounds AS b JOIN fact.posts AS p ON p.organization_id = org AND p.posted_at >= b.starts_at AND p.posted_at < b.ends_at
            WHERE p.content_id IS NOT NULL
            GROUP BY p.content_id
            UNION ALL
            SELECT 'visitor', v.visitor_hash, count(*)::integer
            FROM bounds AS b JOIN fact.web_visits AS v ON v.organization_id = org AND v.occurred_at >= b.starts_at AND v.occurred_at < b.ends_at
            WHERE v.is_advocacy
            GROUP BY v.visitor_hash
            UNION ALL
            SELECT 'member', t.member_hash, count(*)::integer
            FROM bounds AS b JOIN fact.audience_touches AS t ON t.organization_id = org AND t.occurred_at >= b.starts_at AND t.occurred_at < b.ends_at
            GROUP BY t.member_hash
        ),
        known AS (
            SELECT e.kind, e.entity, e.facts FROM rollup.entity_days AS e WHERE e.organization_id = org AND e.day = d
        ),
        changes AS (
            SELECT coalesce(f.kind, k.kind) AS kind, coalesce(f.entity, k.entity) AS entity, f.facts AS new_facts, k.facts AS old_facts
            FROM fresh AS f
            FULL JOIN known AS k ON k.kind = f.kind AND k.entity = f.entity
            WHERE f.facts IS DISTINCT FROM k.facts
        ),
        removed AS (
            DELETE FROM rollup.entity_days AS e
            USING changes AS c
            WHERE c.new_facts IS NULL AND e.organization_id = org AND e.kind = c.kind AND e.entity = c.entity AND e.day = d
        ),
        written AS (
            INSERT INTO rollup.entity_days (organization_id, kind, entity, day, facts)
            SELECT org, c.kind, c.entity, d, c.new_facts FROM changes AS c WHERE c.new_facts IS NOT NULL
            ON CONFLICT (organization_id, kind, entity, day) DO UPDATE SET facts = excluded.facts
        ),
        next_days AS (
            INSERT INTO rollup.dirty_days (organization_id, day)
            SELECT DISTINCT org, n.day
            FROM changes AS c
            CROSS JOIN LATERAL (
                -- The entity's next day: equalities then a range, the primary key's order.
                SELECT e.day FROM rollup.entity_days AS e
                WHERE e.organization_id = org AND e.kind = c.kind AND e.entity = c.entity AND e.day > d
                ORDER BY e.day LIMIT 1
            ) AS n
            WHERE c.new_facts IS NULL OR c.old_facts IS NULL
        )
        SELECT coalesce(array_agg(c.entity) FILTER (WHERE c.kind = 'poster'), '{}') INTO changed_posters FROM changes AS c;

        DELETE FROM rollup.entities_seen WHERE organization_id = org AND day = d;
        INSERT INTO rollup.entities_seen (organization_id, kind, day, first_time, seen_again)
        WITH gaps AS (
            SELECT e.kind, d - p.day AS gap
            FROM rollup.entity_days AS e
            LEFT JOIN LATERAL (
                -- The entity's previous day.
                SELECT x.day FROM rollup.entity_days AS x
                WHERE x.organization_id = org AND x.kind = e.kind AND x.entity = e.entity AND x.day < d
                ORDER BY x.day DESC LIMIT 1
            ) AS p ON true
            WHERE e.organization_id = org AND e.day = d
        ),
        histogram AS (
            SELECT g.kind, g.gap, count(*) AS entities FROM gaps AS g WHERE g.gap IS NOT NULL GROUP BY g.kind, g.gap
        ),
        kinds AS (
            SELECT g.kind, count(*) FILTER (WHERE g.gap IS NULL) AS first_time, coalesce(max(g.gap), 0) AS longest
            FROM gaps AS g GROUP BY g.kind
        )
        SELECT org, k.kind, d, k.first_time,
               coalesce((
                   SELECT array_agg(r.at_least ORDER BY r.gap)
                   FROM (
                       SELECT s.gap, sum(coalesce(h.entities, 0)) OVER (ORDER BY s.gap DESC) AS at_least
                       FROM generate_series(1, k.longest) AS s (gap)
                       LEFT JOIN histogram AS h ON h.kind = k.kind AND h.gap = s.gap
                   ) AS r
               ), '{}')
        FROM kinds AS k;

        RETURN changed_posters;
    END
    $function$;
