-- Each advocacy visit's ambassador and post: through the post that carries its utm_content token, or the tracked
-- link that issued it. Resolved when read, so a visit that came before its post is attributed too. Grain: one row
-- per advocacy visit.
CREATE OR REPLACE FUNCTION kpi.attributed_visits(org uuid, from_date date, to_date date)
 RETURNS TABLE(visited_on date, visitor_hash bytea, is_advocacy boolean, careers boolean, utm_source text, utm_campaign text, post_id text, ambassador_id text, team text, department text, region text)
 LANGUAGE sql
 STABLE
AS $function$
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
    $function$;
