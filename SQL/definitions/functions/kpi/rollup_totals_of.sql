-- The totals of each period [from_dates[i], to_dates[i]] from the rollups, in one statement (the posters'
-- enrolment dates, ids and teams read once); while days up to the last period's end are queued, from the facts
-- (kpi.raw_totals), so a read never writes and never lags. Grain: one kpi.totals per period, with its index i.
CREATE OR REPLACE FUNCTION kpi.rollup_totals_of(org uuid, from_dates date[], to_dates date[])
 RETURNS TABLE(period integer, totals kpi.totals)
 LANGUAGE plpgsql
 STABLE
AS $function$
    #variable_conflict use_column
    BEGIN
        -- Days up to the end of the latest period still queued: every period from the facts (rollup.settled).
        IF NOT rollup.settled(org, (SELECT max(d) FROM unnest(to_dates) AS d)) THEN
            RETURN QUERY SELECT p.n::integer, kpi.raw_totals(org, p.from_day, p.to_day)
                         FROM unnest(from_dates, to_dates) WITH ORDINALITY AS p (from_day, to_day, n);
            RETURN;
        END IF;
        RETURN QUERY
        WITH periods AS MATERIALIZED (
            SELECT p.n::integer AS n, p.from_day, p.to_day, ((p.to_day + 1)::timestamp AT TIME ZONE o.time_zone) AS ends_at,
                   -- Maturity is told as of the organisation's today (see kpi.kpis_from).
                   (now() AT TIME ZONE o.time_zone)::date AS as_of, o.lead_conversion_window_days AS lead_window,
                   o.hire_conversion_window_days AS hire_window,
                   -- Everyone's cumulative posts at the last posting day <= to, and < from (see rollup.posts_through).
                   (SELECT t.posts FROM rollup.posts_through AS t
                    WHERE t.organization_id = org AND t.day <= p.to_day ORDER BY t.day DESC LIMIT 1) AS posts_through_to,
                   (SELECT t.posts FROM rollup.posts_through AS t
                    WHERE t.organization_id = org AND t.day < p.from_day ORDER BY t.day DESC LIMIT 1) AS posts_before_from
            FROM core.organizations AS o, unnest(from_dates, to_dates) WITH ORDINALITY AS p (from_day, to_day, n)
            WHERE o.organization_id = org
        ),
        posters AS MATERIALIZED (
            SELECT p.enrolled_at FROM rollup.posters AS p WHERE p.organization_id = org
        )
        SELECT pe.n,
               ROW(a.active, a.median_posts, a.p90_posts, e.ambassadors,
                   d.posts, d.shares, content.seen, d.impressions, d.members_reached, d.engagements,
                   d.potential_reach, d.posts_without_count,
                   d.impressions_value, d.clicks_value, d.engagement_value, d.unpriced_posts,
                   kpi.period_cost(org, pe.from_day, pe.to_day),
                   members.first_seen, members.seen, s.ambassadors, s.average, s.above_75,
                   d.visits, d.advocacy_visits, visitors.seen, d.careers_advocacy_visits,
                   d.advocacy_leads, d.advocacy_won, d.other_leads, d.other_won, d.estimated_value, d.won_value,
                   d.advocacy_applications, d.advocacy_hired, d.other_applications, d.other_hired, h.advocacy_days, h.other_days,
                   pe.as_of, pe.lead_window, d.advocacy_open_leads, m.lead_median_age, d.advocacy_leads_mature, m.advocacy_won_within,
                   d.other_leads_mature, m.other_won_within,
                   pe.hire_window, d.advocacy_open_applications, m.application_median_age, d.advocacy_applications_mature,
                   m.advocacy_hired_within, d.other_applications_mature, m.other_hired_within
               )::kpi.totals
        FROM periods AS pe
        -- Active: enrolled before the end of the period, with a post in it.
        CROSS JOIN LATERAL (
            SELECT count(*) AS active,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY u.through_to - coalesce(u.before_from, 0)) AS median_posts,
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY u.through_to - coalesce(u.before_from, 0)) AS p90_posts
            FROM posters AS p, unnest(p.enrolled_at, pe.posts_through_to, pe.posts_before_from) AS u (enrolled_at, through_to, before_from)
            WHERE u.through_to > coalesce(u.before_from, 0) AND u.enrolled_at < pe.ends_at
        ) AS a
        CROSS JOIN LATERAL (
            SELECT count(*) AS ambassadors
            FROM core.ambassadors AS x
            WHERE x.organization_id = org AND x.enrolled_at < pe.ends_at AND (x.left_at IS NULL OR x.left_at >= pe.ends_at)
        ) AS e
        CROSS JOIN LATERAL (
            SELECT coalesce(sum(r.posts), 0)::bigint AS posts, coalesce(sum(r.shares), 0)::bigint AS shares,
                   coalesce(sum(r.impressions), 0)::bigint AS impressions,
                   coalesce(sum(r.members_reached), 0)::bigint AS members_reached,
                   coalesce(sum(r.engagements), 0)::bigint AS engagements, coalesce(sum(r.potential_reach), 0) AS potential_reach,
                   coalesce(sum(r.posts_without_count), 0)::bigint AS posts_without_count,
                   coalesce(sum(r.impressions_value), 0) AS impressions_value, coalesce(sum(r.clicks_value), 0) AS clicks_value,
                   coalesce(sum(r.engagement_value), 0) AS engagement_value,
                   coalesce(sum(r.unpriced_posts), 0)::bigint AS unpriced_posts,
                   coalesce(sum(r.visits), 0)::bigint AS visits, coalesce(sum(r.advocacy_visits), 0)::bigint AS advocacy_visits,
                   coalesce(sum(r.careers_advocacy_visits), 0)::bigint AS careers_advocacy_visits,
                   coalesce(sum(r.advocacy_leads), 0)::bigint AS advocacy_leads,
                   coalesce(sum(r.advocacy_won), 0)::bigint AS advocacy_won,
                   coalesce(sum(r.other_leads), 0)::bigint AS other_leads, coalesce(sum(r.other_won), 0)::bigint AS other_won,
                   coalesce(sum(r.estimated_value), 0) AS estimated_value, coalesce(sum(r.won_value), 0) AS won_value,
                   coalesce(sum(r.advocacy_applications), 0)::bigint AS advocacy_applications,
                   coalesce(sum(r.advocacy_hired), 0)::bigint AS advocacy_hired,
                   coalesce(sum(r.other_applications), 0)::bigint AS other_applications,
                   coalesce(sum(r.other_hired), 0)::bigint AS other_hired,
                   coalesce(sum(r.advocacy_open_leads), 0)::bigint AS advocacy_open_leads,
                   coalesce(sum(r.advocacy_leads) FILTER (WHERE r.day <= pe.as_of - pe.lead_window), 0)::bigint AS advocacy_leads_mature,
                   coalesce(sum(r.other_leads) FILTER (WHERE r.day <= pe.as_of - pe.lead_window), 0)::bigint AS other_leads_mature,
                   coalesce(sum(r.advocacy_open_applications), 0)::bigint AS advocacy_open_applications,
                   coalesce(sum(r.advocacy_applications) FILTER (WHERE r.day <= pe.as_of - pe.hire_window), 0)::bigint
                       AS advocacy_applications_mature,
                   coalesce(sum(r.other_applications) FILTER (WHERE r.day <= pe.as_of - pe.hire_window), 0)::bigint
                       AS other_applications_mature
            FROM rollup.daily AS r
            WHERE r.organization_id = org AND r.day BETWEEN pe.from_day AND pe.to_day
        ) AS d
        -- SSI at the end of the period: the sum of every change up to it.
        CROSS JOIN LATERAL (
            SELECT coalesce(sum(r.ssi_ambassadors_change), 0)::bigint AS ambassadors,
                   round(sum(r.ssi_total_change) / nullif(sum(r.ssi_ambassadors_change), 0), 2) AS average,
                   coalesce(sum(r.ssi_above_75_change), 0)::bigint AS above_75
            FROM rollup.daily AS r
            WHERE r.organization_id = org AND r.day <= pe.to_day
        ) AS s
        CROSS JOIN LATERAL (
            SELECT (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY x)::numeric, 1)
                    FROM rollup.daily AS r, unnest(r.advocacy_days_to_hire) AS x
                    WHERE r.organization_id = org AND r.day BETWEEN pe.from_day AND pe.to_day) AS advocacy_days,
                   (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY x)::numeric, 1)
                    FROM rollup.daily AS r, unnest(r.other_days_to_hire) AS x
                    WHERE r.organization_id = org AND r.day BETWEEN pe.from_day AND pe.to_day) AS other_days
        ) AS h
        -- The cohorts' median age (each lead or application once: its day repeated by the day's count), and those
        -- converted within the window among the cohorts at least that old.
        CROSS JOIN LATERAL (
            SELECT (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY pe.as_of - r.day)::numeric, 1)
                    FROM rollup.daily AS r, generate_series(1, r.advocacy_leads)
                    WHERE r.organization_id = org AND r.day BETWEEN pe.from_day AND pe.to_day) AS lead_median_age,
                   (SELECT count(*) FROM rollup.daily AS r, unnest(r.advocacy_days_to_win) AS x
                    WHERE r.organization_id = org AND r.day BETWEEN pe.from_day AND least(pe.to_day, pe.as_of - pe.lead_window)
                      AND x <= pe.lead_window) AS advocacy_won_within,
                   (SELECT count(*) FROM rollup.daily AS r, unnest(r.other_days_to_win) AS x
                    WHERE r.organization_id = org AND r.day BETWEEN pe.from_day AND least(pe.to_day, pe.as_of - pe.lead_window)
                      AND x <= pe.lead_window) AS other_won_within,
                   (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY pe.as_of - r.day)::numeric, 1)
                    FROM rollup.daily AS r, generate_series(1, r.advocacy_applications)
                    WHERE r.organization_id = org AND r.day BETWEEN pe.from_day AND pe.to_day) AS application_median_age,
                   (SELECT count(*) FROM rollup.daily AS r, unnest(r.advocacy_days_to_hire) AS x
                    WHERE r.organization_id = org AND r.day BETWEEN pe.from_day AND least(pe.to_day, pe.as_of - pe.hire_window)
                      AND x <= pe.hire_window) AS advocacy_hired_within,
                   (SELECT count(*) FROM rollup.daily AS r, unnest(r.other_days_to_hire) AS x
                    WHERE r.organization_id = org AND r.day BETWEEN pe.from_day AND least(pe.to_day, pe.as_of - pe.hire_window)
                      AND x <= pe.hire_window) AS other_hired_within
        ) AS m
        CROSS JOIN LATERAL rollup.distinct_entities(org, 'content', pe.from_day, pe.to_day) AS content
        CROSS JOIN LATERAL rollup.distinct_entities(org, 'member', pe.from_day, pe.to_day) AS members
        CROSS JOIN LATERAL rollup.distinct_entities(org, 'visitor', pe.from_day, pe.to_day) AS visitors
        ORDER BY pe.n;
    END
    $function$;
