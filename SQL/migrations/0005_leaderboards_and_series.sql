-- 0005: leaderboards (ambassadors, content) and time series, with the dashboard filters.
--
-- kpi.filtered_posts is the one place the filters are applied: every function below reads posts through it.
-- A NULL filter does not filter.

-- The first day of every day, ISO week (from Monday) or month bucket that [from, to] touches.
CREATE FUNCTION kpi.buckets(from_date date, to_date date, granularity text) RETURNS SETOF date
    LANGUAGE plpgsql IMMUTABLE
    AS $$
    BEGIN
        IF granularity NOT IN ('day', 'week', 'month') THEN
            RAISE EXCEPTION 'unknown granularity "%"', granularity USING ERRCODE = 'invalid_parameter_value', HINT = 'day, week or month';
        END IF;
        RETURN QUERY
        SELECT generate_series(date_trunc(granularity, from_date::timestamp), to_date::timestamp, ('1 ' || granularity)::interval)::date;
    END
    $$;

CREATE FUNCTION kpi.filtered_posts(
    org uuid, from_date date, to_date date, team_filter text DEFAULT NULL, department_filter text DEFAULT NULL,
    region_filter text DEFAULT NULL, network_filter text DEFAULT NULL, campaign_filter text DEFAULT NULL,
    content_filter text DEFAULT NULL, ambassador_filter text DEFAULT NULL
)
    RETURNS TABLE (post_id text, ambassador_id text, team text, department text, region text, network text, content_id text,
                   campaign text, posted_on date, impressions bigint, members_reached bigint, engagements bigint, clicks bigint,
                   emv numeric)
    LANGUAGE sql STABLE
    AS $$
        SELECT v.post_id, v.ambassador_id, a.team, a.department, a.region, v.network, v.content_id, c.campaign, v.posted_on,
               v.impressions, v.members_reached, v.reactions + v.comments + v.reshares + v.clicks, v.clicks,
               v.impressions_value + v.clicks_value + v.engagement_value
        FROM kpi.post_values(org, from_date, to_date) AS v
        LEFT JOIN core.ambassadors AS a ON a.organization_id = org AND a.ambassador_id = v.ambassador_id
        LEFT JOIN core.content_items AS c ON c.organization_id = org AND c.content_id = v.content_id
        WHERE (team_filter IS NULL OR a.team = team_filter)
          AND (department_filter IS NULL OR a.department = department_filter)
          AND (region_filter IS NULL OR a.region = region_filter)
          AND (network_filter IS NULL OR v.network = network_filter)
          AND (campaign_filter IS NULL OR c.campaign = campaign_filter)
          AND (content_filter IS NULL OR v.content_id = content_filter)
          AND (ambassador_filter IS NULL OR v.ambassador_id = ambassador_filter)
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
        RETURN QUERY
        WITH buckets AS (SELECT b AS bucket FROM kpi.buckets(from_date, to_date, granularity) AS b),
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

-- Each advocacy visit's ambassador and post: through the post that carries its utm_content token, or the
-- tracked link that issued it. Resolved when read, so a visit that came before its post is attributed too.
CREATE FUNCTION kpi.attributed_visits(org uuid, from_date date, to_date date)
    RETURNS TABLE (visited_on date, visitor_hash bytea, is_advocacy boolean, careers boolean, utm_source text,
                   utm_campaign text, post_id text, ambassador_id text, team text, department text, region text)
    LANGUAGE sql STABLE
    AS $$
        SELECT (v.occurred_at AT TIME ZONE o.time_zone)::date, v.visitor_hash, v.is_advocacy, v.site_section = 'careers',
               v.utm_source, v.utm_campaign, p.post_id, coalesce(p.ambassador_id, l.ambassador_id), a.team, a.department, a.region
        FROM core.organizations AS o
        JOIN fact.web_visits AS v
          ON v.organization_id = o.organization_id
         AND v.occurred_at >= (from_date::timestamp AT TIME ZONE o.time_zone)
         AND v.occurred_at < ((to_date + 1)::timestamp AT TIME ZONE o.time_zone)
        LEFT JOIN fact.posts AS p ON v.is_advocacy AND p.organization_id = o.organization_id AND p.utm_token = v.utm_content
        LEFT JOIN ingest.tracked_links AS l
               ON v.is_advocacy AND p.post_id IS NULL AND l.organization_id = o.organization_id AND l.token = v.utm_content
        LEFT JOIN core.ambassadors AS a
               ON a.organization_id = o.organization_id AND a.ambassador_id = coalesce(p.ambassador_id, l.ambassador_id)
        WHERE o.organization_id = org
    $$;

-- Website traffic per bucket: all visits, advocacy visits (all of them, attributed or not) and their share,
-- unique advocacy visitors, careers-portal visits. Team, department and region filters keep the advocacy
-- visits attributed to those ambassadors; network and campaign filter on utm_source and utm_campaign.
CREATE FUNCTION kpi.traffic_series(
    org uuid, from_date date, to_date date, granularity text DEFAULT 'week', team_filter text DEFAULT NULL,
    department_filter text DEFAULT NULL, region_filter text DEFAULT NULL, network_filter text DEFAULT NULL,
    campaign_filter text DEFAULT NULL
)
    RETURNS TABLE (bucket date, visits bigint, advocacy_visits bigint, advocacy_share numeric, advocacy_unique_visitors bigint,
                   attributed_visits bigint, careers_visits bigint, careers_advocacy_visits bigint)
    LANGUAGE plpgsql STABLE
    AS $$
    BEGIN
        RETURN QUERY
        WITH buckets AS (SELECT b AS bucket FROM kpi.buckets(from_date, to_date, granularity) AS b),
        visits AS (
            SELECT date_trunc(granularity, v.visited_on::timestamp)::date AS bucket, v.*
            FROM kpi.attributed_visits(org, from_date, to_date) AS v
            WHERE (team_filter IS NULL OR v.team = team_filter)
              AND (department_filter IS NULL OR v.department = department_filter)
              AND (region_filter IS NULL OR v.region = region_filter)
              AND (network_filter IS NULL OR lower(v.utm_source) = network_filter)
              AND (campaign_filter IS NULL OR v.utm_campaign = campaign_filter)
        )
        SELECT b.bucket, count(v.bucket), count(v.bucket) FILTER (WHERE v.is_advocacy),
               round((count(v.bucket) FILTER (WHERE v.is_advocacy))::numeric / nullif(count(v.bucket), 0), 6),
               count(DISTINCT v.visitor_hash) FILTER (WHERE v.is_advocacy),
               count(v.bucket) FILTER (WHERE v.ambassador_id IS NOT NULL),
               count(v.bucket) FILTER (WHERE v.careers), count(v.bucket) FILTER (WHERE v.careers AND v.is_advocacy)
        FROM buckets AS b
        LEFT JOIN visits AS v USING (bucket)
        GROUP BY b.bucket
        ORDER BY b.bucket;
    END
    $$;

-- Leads and applications created per bucket, advocacy against the others, with their current outcome.
CREATE FUNCTION kpi.pipeline_series(org uuid, from_date date, to_date date, granularity text DEFAULT 'week')
    RETURNS TABLE (bucket date, leads bigint, advocacy_leads bigint, advocacy_leads_won bigint, other_leads_won bigint,
                   applications bigint, advocacy_applications bigint, advocacy_hires bigint, other_hires bigint)
    LANGUAGE plpgsql STABLE
    AS $$
    BEGIN
        RETURN QUERY
        WITH bounds AS (
            SELECT (from_date::timestamp AT TIME ZONE o.time_zone) AS starts_at,
                   ((to_date + 1)::timestamp AT TIME ZONE o.time_zone) AS ends_at, o.time_zone
            FROM core.organizations AS o WHERE o.organization_id = org
        ),
        buckets AS (SELECT b AS bucket FROM kpi.buckets(from_date, to_date, granularity) AS b),
        leads AS (
            SELECT date_trunc(granularity, (l.created_at AT TIME ZONE b.time_zone))::date AS bucket,
                   l.source_channel = 'employee_advocacy' AS advocacy,
                   (SELECT c.stage = 'won' FROM fact.lead_stage_changes AS c
                    WHERE c.organization_id = org AND c.lead_id = l.lead_id
                    ORDER BY c.changed_at DESC, c.change_id DESC LIMIT 1) AS won
            FROM bounds AS b
            JOIN fact.leads AS l ON l.organization_id = org AND l.created_at >= b.starts_at AND l.created_at < b.ends_at
        ),
        applications AS (
            SELECT date_trunc(granularity, (a.applied_at AT TIME ZONE b.time_zone))::date AS bucket,
                   a.source_channel = 'employee_advocacy' AS advocacy,
                   (SELECT c.stage = 'hired' FROM fact.application_stage_changes AS c
                    WHERE c.organization_id = org AND c.application_id = a.application_id
                    ORDER BY c.changed_at DESC, c.change_id DESC LIMIT 1) AS hired
            FROM bounds AS b
            JOIN fact.applications AS a ON a.organization_id = org AND a.applied_at >= b.starts_at AND a.applied_at < b.ends_at
        ),
        lead_counts AS (
            SELECT l.bucket, count(*) AS leads, count(*) FILTER (WHERE l.advocacy) AS advocacy_leads,
                   count(*) FILTER (WHERE l.advocacy AND l.won) AS advocacy_won, count(*) FILTER (WHERE NOT l.advocacy AND l.won) AS other_won
            FROM leads AS l GROUP BY l.bucket
        ),
        application_counts AS (
            SELECT a.bucket, count(*) AS applications, count(*) FILTER (WHERE a.advocacy) AS advocacy_applications,
                   count(*) FILTER (WHERE a.advocacy AND a.hired) AS advocacy_hires,
                   count(*) FILTER (WHERE NOT a.advocacy AND a.hired) AS other_hires
            FROM applications AS a GROUP BY a.bucket
        )
        SELECT b.bucket, coalesce(l.leads, 0), coalesce(l.advocacy_leads, 0), coalesce(l.advocacy_won, 0), coalesce(l.other_won, 0),
               coalesce(a.applications, 0), coalesce(a.advocacy_applications, 0), coalesce(a.advocacy_hires, 0),
               coalesce(a.other_hires, 0)
        FROM buckets AS b
        LEFT JOIN lead_counts AS l USING (bucket)
        LEFT JOIN application_counts AS a USING (bucket)
        ORDER BY b.bucket;
    END
    $$;

GRANT SELECT ON ingest.tracked_links TO advocacy_reader;
GRANT USAGE ON SCHEMA ingest TO advocacy_reader;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA kpi TO advocacy_reader;
