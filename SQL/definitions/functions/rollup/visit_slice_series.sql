-- Website traffic of one slice (rollup.visit_slice_days) per day, week or month bucket of [from, to], every bucket
-- present. The unique advocacy visitors of a day are the day's; of a week or month, the bucket's visitors through
-- the period's last day or from its first (rollup.visitor_bucket_days); of a bucket the period cuts at both ends
-- (a period inside one week or month), counted from its visitor-days (rollup.visitor_days, filtered as the slice
-- is). Grain: one row per bucket.
CREATE OR REPLACE FUNCTION rollup.visit_slice_series(org uuid, from_date date, to_date date, grain text, dims text, first_value text, second_value text, team_filter text, department_filter text, region_filter text, network_filter text, campaign_filter text)
 RETURNS TABLE(bucket date, visits bigint, advocacy_visits bigint, advocacy_unique_visitors bigint, attributed_visits bigint, careers_visits bigint, careers_advocacy_visits bigint)
 LANGUAGE sql
 STABLE
AS $function$
        SELECT b.starts, coalesce(s.visits, 0), coalesce(s.advocacy_visits, 0),
               CASE WHEN grain = 'day' THEN coalesce(s.day_visitors, 0)
                    WHEN b.first_day > b.starts AND b.last_day < b.ends THEN
                        (SELECT count(DISTINCT t.visitor_hash) FROM rollup.visitor_days AS t
                         WHERE t.organization_id = org AND t.day BETWEEN b.first_day AND b.last_day
                           AND (team_filter IS NULL OR t.team = team_filter)
                           AND (department_filter IS NULL OR t.department = department_filter)
                           AND (region_filter IS NULL OR t.region = region_filter)
                           AND (network_filter IS NULL OR t.network = network_filter)
                           AND (campaign_filter IS NULL OR t.campaign = campaign_filter))
                    WHEN b.first_day > b.starts THEN
                        coalesce((SELECT e.visitors_from FROM rollup.visitor_bucket_days AS e
                                  WHERE e.organization_id = org AND e.granularity = grain AND e.bucket = b.starts
                                    AND e.dimensions = dims AND e.value1 = first_value AND e.value2 = second_value
                                    AND e.day >= b.first_day
                                  ORDER BY e.day LIMIT 1), 0)
                    ELSE coalesce((SELECT e.visitors_through FROM rollup.visitor_bucket_days AS e
                                   WHERE e.organization_id = org AND e.granularity = grain AND e.bucket = b.starts
                                     AND e.dimensions = dims AND e.value1 = first_value AND e.value2 = second_value
                                     AND e.day <= b.last_day
                                   ORDER BY e.day DESC LIMIT 1), 0) END,
               coalesce(s.attributed_visits, 0), coalesce(s.careers_visits, 0), coalesce(s.careers_advocacy_visits, 0)
        FROM (
            SELECT k.starts, greatest(k.starts, from_date) AS first_day,
                   least((k.starts + ('1 ' || grain)::interval)::date - 1, to_date) AS last_day,
                   (k.starts + ('1 ' || grain)::interval)::date - 1 AS ends
            FROM kpi.buckets(from_date, to_date, grain) AS k (starts)
        ) AS b
        LEFT JOIN LATERAL (
            SELECT sum(x.visits)::bigint AS visits, sum(x.advocacy_visits)::bigint AS advocacy_visits,
                   sum(x.attributed_visits)::bigint AS attributed_visits, sum(x.careers_visits)::bigint AS careers_visits,
                   sum(x.careers_advocacy_visits)::bigint AS careers_advocacy_visits, sum(x.advocacy_visitors)::bigint AS day_visitors
            FROM rollup.visit_slice_days AS x
            WHERE x.organization_id = org AND x.dimensions = dims AND x.value1 = first_value AND x.value2 = second_value
              AND x.day BETWEEN b.first_day AND b.last_day
        ) AS s ON true
    $function$;
