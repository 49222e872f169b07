-- The rollup queue's triggers: for each watched table, the days a changed row affects, as (organisation, day).
-- rollup.watch writes the query into rollup.queue_days_of_<schema>_<table>() and (re)creates the table's
-- three statement triggers (insert, update, delete) that run it over the transition table ($rows).
-- Grain: one call per watched table.

-- A post's day; and the days of the visits carrying its token, whose attribution it changes.
SELECT rollup.watch('fact.posts', $q$
    SELECT r.organization_id, (r.posted_at AT TIME ZONE o.time_zone)::date
    FROM $rows AS r JOIN core.organizations AS o USING (organization_id)
    UNION ALL
    SELECT v.organization_id, (v.occurred_at AT TIME ZONE o.time_zone)::date
    FROM $rows AS r
    JOIN fact.web_visits AS v ON v.organization_id = r.organization_id AND v.is_advocacy AND v.utm_content = r.utm_token
    JOIN core.organizations AS o ON o.organization_id = r.organization_id
$q$);

SELECT rollup.watch('ingest.tracked_links', $q$
    SELECT v.organization_id, (v.occurred_at AT TIME ZONE o.time_zone)::date
    FROM $rows AS r
    JOIN fact.web_visits AS v ON v.organization_id = r.organization_id AND v.is_advocacy AND v.utm_content = r.token
    JOIN core.organizations AS o ON o.organization_id = r.organization_id
$q$);

SELECT rollup.watch('fact.audience_touches', $q$
    SELECT r.organization_id, (r.occurred_at AT TIME ZONE o.time_zone)::date FROM $rows AS r JOIN core.organizations AS o USING (organization_id)
$q$);

SELECT rollup.watch('fact.web_visits', $q$
    SELECT r.organization_id, (r.occurred_at AT TIME ZONE o.time_zone)::date FROM $rows AS r JOIN core.organizations AS o USING (organization_id)
$q$);

SELECT rollup.watch('fact.leads', $q$
    SELECT r.organization_id, (r.created_at AT TIME ZONE o.time_zone)::date FROM $rows AS r JOIN core.organizations AS o USING (organization_id)
$q$);

SELECT rollup.watch('fact.lead_stage_changes', $q$
    SELECT l.organization_id, (l.created_at AT TIME ZONE o.time_zone)::date
    FROM $rows AS r JOIN fact.leads AS l USING (organization_id, lead_id) JOIN core.organizations AS o USING (organization_id)
$q$);

SELECT rollup.watch('fact.applications', $q$
    SELECT r.organization_id, (r.applied_at AT TIME ZONE o.time_zone)::date FROM $rows AS r JOIN core.organizations AS o USING (organization_id)
$q$);

SELECT rollup.watch('fact.application_stage_changes', $q$
    SELECT a.organization_id, (a.applied_at AT TIME ZONE o.time_zone)::date
    FROM $rows AS r JOIN fact.applications AS a USING (organization_id, application_id) JOIN core.organizations AS o USING (organization_id)
$q$);

-- A snapshot changes its day and the next snapshot day of its ambassador (whose change is relative to it).
SELECT rollup.watch('fact.ssi_snapshots', $q$
    SELECT r.organization_id, r.snapshot_date FROM $rows AS r
    UNION ALL
    SELECT r.organization_id, n.snapshot_date
    FROM $rows AS r
    CROSS JOIN LATERAL (
        SELECT s.snapshot_date FROM fact.ssi_snapshots AS s
        WHERE s.organization_id = r.organization_id AND s.ambassador_id = r.ambassador_id AND s.snapshot_date > r.snapshot_date
        ORDER BY s.snapshot_date LIMIT 1
    ) AS n
$q$);

-- Connection counts value the potential reach of every post of the ambassador.
SELECT rollup.watch('core.ambassador_networks', $q$
    SELECT e.organization_id, e.day
    FROM $rows AS r
    JOIN rollup.entity_days AS e
      ON e.organization_id = r.organization_id AND e.kind = 'poster' AND e.entity = convert_to(r.ambassador_id, 'UTF8')
$q$);

-- A rate card values the posts from its date on.
SELECT rollup.watch('core.emv_rate_cards', $q$
    SELECT d.organization_id, d.day
    FROM (SELECT organization_id, min(effective_from) AS effective_from FROM $rows GROUP BY organization_id) AS r
    JOIN rollup.daily AS d ON d.organization_id = r.organization_id AND d.day >= r.effective_from AND d.posts > 0
$q$);

-- Enrolment dates and teams, kept by ordinal in rollup.posters: any change queues the day -infinity (see rollup.maintain).
SELECT rollup.watch('core.ambassadors', $q$ SELECT r.organization_id, '-infinity'::date FROM $rows AS r $q$);

-- A new or corrected observation may change its post's latest metrics: its post's day is recomputed.
SELECT rollup.watch('fact.post_metric_observations', $q$
    SELECT p.organization_id, (p.posted_at AT TIME ZONE o.time_zone)::date
    FROM $rows AS r JOIN fact.posts AS p USING (organization_id, post_id) JOIN core.organizations AS o USING (organization_id)
$q$);
