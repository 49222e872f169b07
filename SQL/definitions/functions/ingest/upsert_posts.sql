-- Stores a batch of posts. Facts that describe one thing: the newest fact about each post (greatest occurred_at,
-- then event id) wins, whatever the order of arrival. Grain: one row per post.
CREATE OR REPLACE FUNCTION ingest.upsert_posts(org uuid, event_ids text[], occurred timestamp with time zone[], post_ids text[], ambassador_ids text[], networks text[], content_ids text[], posted timestamp with time zone[], tracked_urls text[], utm_tokens text[])
 RETURNS void
 LANGUAGE plpgsql
AS $function$#variable_conflict use_column
BEGIN

        INSERT INTO fact.posts AS t (organization_id, post_id, ambassador_id, network, content_id, posted_at,
                                     tracked_url, utm_token, source_occurred_at, source_event_id)
        SELECT DISTINCT ON (e.post_id) org, e.post_id, e.ambassador_id, e.network::core.network, e.content_id,
               e.posted_at, e.tracked_url, e.utm_token, e.occurred_at, e.event_id
        FROM unnest(event_ids, occurred, post_ids, ambassador_ids, networks, content_ids, posted, tracked_urls, utm_tokens)
             AS e (event_id, occurred_at, post_id, ambassador_id, network, content_id, posted_at, tracked_url, utm_token)
        ORDER BY e.post_id, e.occurred_at DESC, e.event_id DESC
        ON CONFLICT (organization_id, post_id) DO UPDATE
        SET ambassador_id = excluded.ambassador_id, network = excluded.network, content_id = excluded.content_id,
            posted_at = excluded.posted_at, tracked_url = excluded.tracked_url, utm_token = excluded.utm_token,
            source_occurred_at = excluded.source_occurred_at, source_event_id = excluded.source_event_id
        WHERE (excluded.source_occurred_at, excluded.source_event_id) > (t.source_occurred_at, t.source_event_id);
END$function$;
