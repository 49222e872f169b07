-- 0005: leaderboards (ambassadors, content) and time series, with the dashboard filters.
--
-- kpi.filtered_posts is the one place the filters are applied: every function below reads posts through it.
-- A NULL filter does not filter.

CREATE FUNCTION kpi.filtered_posts(
    org uuid, from_date date, to_date date, team_filter text DEFAULT NULL, department_filter text DEFAULT NULL,
    region_filter text DEFAULT NULL, network_filter text DEFAULT NULL, campaign_filter text DEFAULT NULL,
    content_filter text DEFAULT NULL, ambassador_filter text DEFAULT NULL
)
    RETURNS TABLE (post_id text, ambassador_id text, team text, network text, content_id text, campaign text,
                   posted_on date, impressions bigint, members_reached bigint, engagements bigint, clicks bigint)
    LANGUAGE sql STABLE
    AS $$
        SELECT p.post_id, p.ambassador_id, a.team, p.network::text, p.content_id, c.campaign,
               (p.posted_at AT TIME ZONE o.time_zone)::date,
               coalesce(m.impressions, 0), coalesce(m.members_reached, 0),
               coalesce(m.reactions + m.comments + m.reshares + m.clicks, 0), coalesce(m.clicks, 0)
        FROM core.organizations AS o
        JOIN fact.posts AS p
          ON p.organization_id = o.organization_id
         AND p.posted_at >= (from_date::timestamp AT TIME ZONE o.time_zone)
         AND p.posted_at < ((to_date + 1)::timestamp AT TIME ZONE o.time_zone)
        LEFT JOIN fact.post_metrics AS m ON m.organization_id = o.organization_id AND m.post_id = p.post_id
        LEFT JOIN core.ambassadors AS a ON a.organization_id = o.organization_id AND a.ambassador_id = p.ambassador_id
        LEFT JOIN core.content_items AS c ON c.organization_id = o.organization_id AND c.content_id = p.content_id
        WHERE o.organization_id = org
          AND (team_filter IS NULL OR a.team = team_filter)
          AND (department_filter IS NULL OR a.department = department_filter)
          AND (region_filter IS NULL OR a.region = region_filter)
          AND (network_filter IS NULL OR p.network::text = network_filter)
          AND (campaign_filter IS NULL OR c.campaign = campaign_filter)
          AND (content_filter IS NULL OR p.content_id = content_filter)
          AND (ambassador_filter IS NULL OR p.ambassador_id = ambassador_filter)
    $$;

-- Ambassadors ranked by posts or by engagements in a period; equal values share a rank (1, 1, 3).
CREATE FUNCTION kpi.ambassador_leaderboard(
    org uuid, from_date date, to_date date, ranked_by text DEFAULT 'posts', team_filter text DEFAULT NULL,
    department_filter text DEFAULT NULL, region_filter text DEFAULT NULL, network_filter text DEFAULT NULL,
    campaign_filter text DEFAULT NULL
)
    RETURNS TABLE (rank bigint, ambassador_id text, team text, posts bigint, impressions bigint, engagements bigint,
                   engagement_rate numeric)
    LANGUAGE plpgsql STABLE
    AS $$
    BEGIN
        IF ranked_by NOT IN ('posts', 'engagement') THEN
            RAISE EXCEPTION 'unknown ranking "%"', ranked_by USING ERRCODE = 'invalid_parameter_value', HINT = 'posts or engagement';
        END IF;
        RETURN QUERY
        WITH per_ambassador AS (
            SELECT f.ambassador_id, max(f.team) AS team, count(*) AS posts, sum(f.impressions)::bigint AS impressions,
                   sum(f.engagements)::bigint AS engagements
            FROM kpi.filtered_posts(org, from_date, to_date, team_filter, department_filter, region_filter, network_filter,
                                    campaign_filter) AS f
            GROUP BY f.ambassador_id
        )
        SELECT rank() OVER (ORDER BY CASE WHEN ranked_by = 'posts' THEN p.posts ELSE p.engagements END DESC),
               p.ambassador_id, p.team, p.posts, p.impressions, p.engagements,
               round(p.engagements::numeric / nullif(p.impressions, 0), 6)
        FROM per_ambassador AS p
        ORDER BY 1, p.ambassador_id;
    END
    $$;

-- Content ranked by shares (posts sharing it) or by engagement rate in a period, with distinct ambassadors.
CREATE FUNCTION kpi.content_leaderboard(
    org uuid, from_date date, to_date date, ranked_by text DEFAULT 'shares', team_filter text DEFAULT NULL,
    department_filter text DEFAULT NULL, region_filter text DEFAULT NULL, network_filter text DEFAULT NULL,
    campaign_filter text DEFAULT NULL
)
    RETURNS TABLE (rank bigint, content_id text, title text, campaign text, shares bigint, ambassadors bigint,
                   impressions bigint, engagements bigint, engagement_rate numeric)
    LANGUAGE plpgsql STABLE
    AS $$
    BEGIN
        IF ranked_by NOT IN ('shares', 'engagement_rate') THEN
            RAISE EXCEPTION 'unknown ranking "%"', ranked_by USING ERRCODE = 'invalid_parameter_value', HINT = 'shares or engagement_rate';
        END IF;
        RETURN QUERY
        WITH per_content AS (
            SELECT f.content_id, max(f.campaign) AS campaign, count(*) AS shares, count(DISTINCT f.ambassador_id) AS ambassadors,
                   sum(f.impressions)::bigint AS impressions, sum(f.engagements)::bigint AS engagements
            FROM kpi.filtered_posts(org, from_date, to_date, team_filter, department_filter, region_filter, network_filter,
                                    campaign_filter) AS f
            WHERE f.content_id IS NOT NULL
            GROUP BY f.content_id
        )
        SELECT rank() OVER (ORDER BY CASE WHEN ranked_by = 'shares' THEN p.shares::numeric
                                          ELSE coalesce(p.engagements::numeric / nullif(p.impressions, 0), -1) END DESC),
               p.content_id, c.title, p.campaign, p.shares, p.ambassadors, p.impressions, p.engagements,
               round(p.engagements::numeric / nullif(p.impressions, 0), 6)
        FROM per_content AS p
        LEFT JOIN core.content_items AS c ON c.organization_id = org AND c.content_id = p.content_id
        ORDER BY 1, p.content_id;
    END
    $$;

-- Programme activity per day, week (ISO, from Monday) or month, every bucket present even when empty.
CREATE FUNCTION kpi.activity_series(
    org uuid, from_date date, to_date date, granularity text DEFAULT 'week', team_filter text DEFAULT NULL,
    department_filter text DEFAULT NULL, region_filter text DEFAULT NULL, network_filter text DEFAULT NULL,
    campaign_filter text DEFAULT NULL
)
    RETURNS TABLE (bucket date, posts bigint, active_ambassadors bigint, impressions bigint, engagements bigint,
                   engagement_rate numeric)
    LANGUAGE plpgsql STABLE
    AS $$
    BEGIN
        IF granularity NOT IN ('day', 'week', 'month') THEN
            RAISE EXCEPTION 'unknown granularity "%"', granularity USING ERRCODE = 'invalid_parameter_value', HINT = 'day, week or month';
        END IF;
        RETURN QUERY
        WITH buckets AS (
            SELECT generate_series(date_trunc(granularity, from_date::timestamp), to_date::timestamp,
                                   ('1 ' || granularity)::interval)::date AS bucket
        ),
        posts AS (
            SELECT date_trunc(granularity, f.posted_on::timestamp)::date AS bucket, f.ambassador_id, f.impressions, f.engagements
            FROM kpi.filtered_posts(org, from_date, to_date, team_filter, department_filter, region_filter, network_filter,
                                    campaign_filter) AS f
        )
        SELECT b.bucket, count(p.ambassador_id), count(DISTINCT p.ambassador_id), coalesce(sum(p.impressions), 0)::bigint,
               coalesce(sum(p.engagements), 0)::bigint, round(sum(p.engagements)::numeric / nullif(sum(p.impressions), 0), 6)
        FROM buckets AS b
        LEFT JOIN posts AS p USING (bucket)
        GROUP BY b.bucket
        ORDER BY b.bucket;
    END
    $$;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA kpi TO advocacy_reader;
