-- Every visit of a batch, its visitor pseudonymised and its site section placed (careers when the landing host is
-- the organisation's careers host, or the path is the careers path or below it). The fast path inserts these rows
-- plainly; ingest.web_visit_rows keeps one per visit id for the careful path. Grain: one row per event.
CREATE OR REPLACE FUNCTION ingest.placed_web_visits(org uuid, event_ids text[], occurred timestamp with time zone[], visit_ids text[], visitors text[], landing_urls text[], hosts text[], paths text[], sources text[], mediums text[], campaigns text[], contents text[], terms text[], advocacy boolean[])
 RETURNS TABLE(organization_id uuid, visit_id text, occurred_at timestamp with time zone, visitor_hash core.pseudonym, landing_url text, utm_source text, utm_medium text, utm_campaign text, utm_content text, utm_term text, site_section core.site_section, is_advocacy boolean, source_occurred_at timestamp with time zone, source_event_id text)
 LANGUAGE sql
 STABLE
AS $function$
        SELECT org, e.visit_id, e.occurred_at, core.pseudonym(o.pseudonym_key, e.visitor), e.landing_url,
               e.source, e.medium, e.campaign, e.content, e.term,
               CASE WHEN e.host = o.careers_host
                         OR e.path = o.careers_path OR e.path LIKE rtrim(o.careers_path, '/') || '/%'
                    THEN 'careers' ELSE 'main' END::core.site_section,
               e.advocacy, e.occurred_at, e.event_id
        FROM (
            SELECT unnest(event_ids) AS event_id, unnest(occurred) AS occurred_at, unnest(visit_ids) AS visit_id,
                   unnest(visitors) AS visitor, unnest(landing_urls) AS landing_url, unnest(hosts) AS host,
                   unnest(paths) AS path, unnest(sources) AS source, unnest(mediums) AS medium,
                   unnest(campaigns) AS campaign, unnest(contents) AS content, unnest(terms) AS term,
                   unnest(advocacy) AS advocacy
        ) AS e
        CROSS JOIN core.organizations AS o
        WHERE o.organization_id = org
    $function$;
