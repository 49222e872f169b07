-- The visits of a batch (ingest.placed_web_visits), one per visit id, the newest event's: the careful path of
-- ingest.upsert_web_visits. Grain: one row per visit id.
CREATE OR REPLACE FUNCTION ingest.web_visit_rows(org uuid, event_ids text[], occurred timestamp with time zone[], visit_ids text[], visitors text[], landing_urls text[], hosts text[], paths text[], sources text[], mediums text[], campaigns text[], contents text[], terms text[], advocacy boolean[])
 RETURNS TABLE(organization_id uuid, visit_id text, occurred_at timestamp with time zone, visitor_hash core.pseudonym, landing_url text, utm_source text, utm_medium text, utm_campaign text, utm_content text, utm_term text, site_section core.site_section, is_advocacy boolean, source_occurred_at timestamp with time zone, source_event_id text)
 LANGUAGE sql
 STABLE
AS $function$
        SELECT DISTINCT ON (v.visit_id) v.*
        FROM ingest.placed_web_visits(org, event_ids, occurred, visit_ids, visitors, landing_urls, hosts, paths, sources,
                                      mediums, campaigns, contents, terms, advocacy) AS v
        ORDER BY v.visit_id, v.source_occurred_at DESC, v.source_event_id DESC
    $function$;
