-- Reach and value per bucket computed from the facts: the reference of kpi.value_series. Grain: one row per
-- bucket.
CREATE OR REPLACE FUNCTION kpi.value_series_raw(org uuid, from_date date, to_date date, granularity text DEFAULT 'week'::text)
 RETURNS TABLE(bucket date, impressions bigint, members_reached bigint, new_audience_members bigint, emv numeric, emv_impressions numeric, emv_clicks numeric, emv_engagements numeric, programme_cost numeric, advocacy_won_value numeric)
 LANGUAGE sql
 STABLE
AS $function$
        WITH organization AS (
            SELECT o.time_zone, o.currency FROM core.organizations AS o WHERE o.organization_id = org
        ),
        buckets AS (
            SELECT b AS bucket, greatest(b, from_date) AS first_day,
                   least((b + ('1 ' || granularity)::interval)::date - 1, to_date) AS last_day
            FROM kpi.buckets(from_date, to_date, granularity) AS b
        ),
        posts AS (
            SELECT date_trunc(granularity, v.posted_on::timestamp)::date AS bucket, sum(v.impressions) AS impressions,
                   sum(v.members_reached) AS members_reached, sum(v.impressions_value) AS impressions_value,
                   sum(v.clicks_value) AS clicks_value, sum(v.engagement_value) AS engagement_value
            FROM kpi.post_values(org, from_date, to_date) AS v
            GROUP BY 1
        ),
        members AS (
            SELECT date_trunc(granularity, (m.first_touched_at AT TIME ZONE o.time_zone)::date::timestamp)::date AS bucket,
                   count(*) AS new_members
            FROM fact.audience_members AS m, organization AS o
            WHERE m.organization_id = org
              AND m.first_touched_at >= (from_date::timestamp AT TIME ZONE o.time_zone)
              AND m.first_touched_at < ((to_date + 1)::timestamp AT TIME ZONE o.time_zone)
            GROUP BY 1
        ),
        won AS (
            SELECT date_trunc(granularity, (l.created_at AT TIME ZONE o.time_zone)::date::timestamp)::date AS bucket,
                   sum(s.won_amount) FILTER (WHERE s.stage = 'won' AND s.currency = o.currency) AS value
            FROM organization AS o
            JOIN fact.leads AS l
              ON l.organization_id = org AND l.source_channel = 'employee_advocacy'
             AND l.created_at >= (from_date::timestamp AT TIME ZONE o.time_zone)
             AND l.created_at < ((to_date + 1)::timestamp AT TIME ZONE o.time_zone)
            LEFT JOIN LATERAL (
                SELECT c.stage, c.won_amount, c.currency FROM fact.lead_stage_changes AS c
                WHERE c.organization_id = org AND c.lead_id = l.lead_id
                ORDER BY c.changed_at DESC, c.change_id DESC LIMIT 1
            ) AS s ON true
            GROUP BY 1
        )
        SELECT b.bucket, coalesce(p.impressions, 0)::bigint, coalesce(p.members_reached, 0)::bigint,
               coalesce((SELECT m.new_members FROM members AS m WHERE m.bucket = b.bucket), 0),
               round(coalesce(p.impressions_value + p.clicks_value + p.engagement_value, 0), 2),
               round(coalesce(p.impressions_value, 0), 2), round(coalesce(p.clicks_value, 0), 2),
               round(coalesce(p.engagement_value, 0), 2),
               round(coalesce((
                   SELECT sum(c.amount * (least(c.period_end, b.last_day) - greatest(c.period_start, b.first_day) + 1)
                              / (c.period_end - c.period_start + 1))
                   FROM core.programme_costs AS c, organization AS o
                   WHERE c.organization_id = org AND c.currency = o.currency
                     AND c.period_start <= b.last_day AND c.period_end >= b.first_day
               ), 0), 2),
               coalesce((SELECT w.value FROM won AS w WHERE w.bucket = b.bucket), 0)
        FROM buckets AS b
        LEFT JOIN posts AS p USING (bucket)
        ORDER BY b.bucket
    $function$;
