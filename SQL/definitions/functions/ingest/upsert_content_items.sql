-- Stores a batch of content items. Facts that describe one thing: the newest fact about each item (greatest
-- occurred_at, then event id) wins, whatever the order of arrival. Grain: one row per content item.
CREATE OR REPLACE FUNCTION ingest.upsert_content_items(org uuid, event_ids text[], occurred timestamp with time zone[], content_ids text[], titles text[], urls text[], topics text[], campaigns text[], created timestamp with time zone[])
 RETURNS void
 LANGUAGE plpgsql
AS $function$#variable_conflict use_column
BEGIN

        INSERT INTO core.content_items AS t (organization_id, content_id, title, url, topic, campaign, created_at,
                                             source_occurred_at, source_event_id)
        SELECT DISTINCT ON (e.content_id) org, e.content_id, e.title, e.url, e.topic, e.campaign, e.created_at,
               e.occurred_at, e.event_id
        FROM unnest(event_ids, occurred, content_ids, titles, urls, topics, campaigns, created)
             AS e (event_id, occurred_at, content_id, title, url, topic, campaign, created_at)
        ORDER BY e.content_id, e.occurred_at DESC, e.event_id DESC
        ON CONFLICT (organization_id, content_id) DO UPDATE
        SET title = excluded.title, url = excluded.url, topic = excluded.topic, campaign = excluded.campaign,
            created_at = excluded.created_at, source_occurred_at = excluded.source_occurred_at,
            source_event_id = excluded.source_event_id
        WHERE (excluded.source_occurred_at, excluded.source_event_id) > (t.source_occurred_at, t.source_event_id);
END$function$;
