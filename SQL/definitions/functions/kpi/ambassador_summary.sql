-- One ambassador's own numbers for a period (GET /v1/me): their posts, impressions, engagements and engagement
-- rate, the advocacy visits, leads and applications their posts and links brought, the EMV of their posts, and
-- their rank by posts and by engagements in the organisation and in their current team, with how many are ranked
-- there (the ambassador leaderboards: ties share a rank; no rank without a post). Nothing of any other
-- ambassador but the counts ranked. Grain: one row, for an ambassador the organisation knows (none otherwise).
CREATE OR REPLACE FUNCTION kpi.ambassador_summary(org uuid, ambassador text, from_date date, to_date date)
 RETURNS TABLE(ambassador_id text, display_name text, team text, posts bigint, impressions bigint, engagements bigint, engagement_rate numeric, visits bigint, leads bigint, applications bigint, emv numeric, rank_by_posts bigint, rank_by_engagement bigint, ranked bigint, team_rank_by_posts bigint, team_rank_by_engagement bigint, team_ranked bigint)
 LANGUAGE sql
 STABLE
AS $function$
        WITH me AS (
            SELECT a.ambassador_id::text AS ambassador_id, a.display_name, a.team
            FROM core.ambassadors AS a
            WHERE a.organization_id = org AND a.ambassador_id = ambassador
        ),
        by_posts AS (SELECT * FROM kpi.ambassador_leaderboard(org, from_date, to_date, 'posts')),
        by_engagement AS (SELECT * FROM kpi.ambassador_leaderboard(org, from_date, to_date, 'engagement')),
        -- The team's ranks from the organisation's lists (their team column is the current team, as a team filter's).
        team_by_posts AS (
            SELECT rank() OVER (ORDER BY l.posts DESC) AS rank, l.ambassador_id
            FROM by_posts AS l JOIN me ON l.team = me.team
        ),
        team_by_engagement AS (
            SELECT rank() OVER (ORDER BY l.engagements DESC) AS rank, l.ambassador_id
            FROM by_engagement AS l JOIN me ON l.team = me.team
        ),
        bounds AS (
            SELECT (from_date::timestamp AT TIME ZONE o.time_zone) AS starts_at, ((to_date + 1)::timestamp AT TIME ZONE o.time_zone) AS ends_at
            FROM core.organizations AS o WHERE o.organization_id = org
        )
        SELECT me.ambassador_id, me.display_name, me.team, coalesce(p.posts, 0), coalesce(p.impressions, 0), coalesce(p.engagements, 0),
               p.engagement_rate,
               -- The advocacy visits kpi.attributed_visits gives them: through their posts' tokens, or through their
               -- tracked links whose token no post carries; found from their tokens, not from every visit.
               (SELECT count(*)
                FROM bounds AS b
                CROSS JOIN (
                    SELECT p.utm_token AS token FROM fact.posts AS p
                    WHERE p.organization_id = org AND p.ambassador_id = me.ambassador_id AND p.utm_token IS NOT NULL
                    UNION
                    SELECT l.token FROM ingest.tracked_links AS l
                    WHERE l.organization_id = org AND l.ambassador_id = me.ambassador_id
                      AND NOT EXISTS (SELECT FROM fact.posts AS p WHERE p.organization_id = org AND p.utm_token = l.token)
                ) AS t
                JOIN fact.web_visits AS v
                  ON v.organization_id = org AND v.is_advocacy AND v.utm_content = t.token
                 AND v.occurred_at >= b.starts_at AND v.occurred_at < b.ends_at),
               (SELECT count(*) FROM bounds AS b JOIN fact.leads AS l
                  ON l.organization_id = org AND l.created_at >= b.starts_at AND l.created_at < b.ends_at
                WHERE l.ambassador_id = me.ambassador_id),
               (SELECT count(*) FROM bounds AS b JOIN fact.applications AS a
                  ON a.organization_id = org AND a.applied_at >= b.starts_at AND a.applied_at < b.ends_at
                WHERE a.ambassador_id = me.ambassador_id),
               -- Each part rounded on the period's sum, as the organisation's EMV is (kpi.kpis_from).
               (SELECT coalesce(round(sum(v.impressions_value), 2), 0) + coalesce(round(sum(v.clicks_value), 2), 0)
                       + coalesce(round(sum(v.engagement_value), 2), 0)
                FROM kpi.post_values(org, from_date, to_date, ambassador) AS v),
               p.rank, e.rank, (SELECT count(*) FROM by_posts),
               tp.rank, te.rank, CASE WHEN me.team IS NOT NULL THEN (SELECT count(*) FROM team_by_posts) END
        FROM me
        LEFT JOIN by_posts AS p ON p.ambassador_id = me.ambassador_id
        LEFT JOIN by_engagement AS e ON e.ambassador_id = me.ambassador_id
        LEFT JOIN team_by_posts AS tp ON tp.ambassador_id = me.ambassador_id
        LEFT JOIN team_by_engagement AS te ON te.ambassador_id = me.ambassador_id
    $function$;
