-- Stores a batch of web visits the careful way (ingest.web_visit_rows): the newest fact about each visit id wins.
-- Grain: one row per visit.
CREATE OR REPLACE FUNCTION ingest.upsert_web_visits(org uuid, event_ids text[], occurred timestamp with time zone[], visit_ids text[], visitors text[], landing_urls text[], hosts text[], paths text[], sources text[], mediums text[], campaigns text[], contents text[], terms text[], advocacy boolean[])
 RETURNS void
 LANGUAGE plpgsql
AS $function$
    BEGIN
        INSERT INTO fact.web_visits (organization_id, visit_id, occurred_at, visitor_hash, landing_url, utm_source,
            utm_medium, utm_campaign, utm_content, utm_term, site_section, is_advocacy, source_occurred_at, source_event_id)
        SELECT * FROM ingest.placed_web_visits(org, event_ids, occurred, visit_ids, visitors, landing_urls, hosts, paths,
                                               sources, mediums, campaigns, contents, terms, advocacy);
    EXCEPTION WHEN unique_violation THEN
        -- A visit id stored already, or twice in this batch: the newer event's visit wins.
        INSERT INTO fact.web_visits AS t (organization_id, visit_id, occurred_at, visitor_hash, landing_url, utm_source,
            utm_medium, utm_campaign, utm_content, utm_term, site_section, is_advocacy, source_occurred_at, source_event_id)
        SELECT * FROM ingest.web_visit_rows(org, event_ids, occurred, visit_ids, visitors, landing_urls, hosts, paths,
                                            sources, mediums, campaigns, contents, terms, advocacy)
        ON CONFLICT (organization_id, visit_id) DO UPDATE
        SET occurred_at = excluded.occurred_at, visitor_hash = excluded.visitor_hash,
            landing_url = excluded.landing_url, utm_source = excluded.utm_source, utm_medium = excluded.utm_medium,
            utm_campaign = excluded.utm_campaign, utm_content = excluded.utm_content, utm_term = excluded.utm_term,
            site_section = excluded.site_section, is_advocacy = excluded.is_advocacy,
            source_occurred_at = excluded.source_occurred_at, source_event_id = excluded.source_event_id
        WHERE (excluded.source_occurred_at, excluded.source_event_id) > (t.source_occurred_at, t.source_event_id);
    END
    $function$;
