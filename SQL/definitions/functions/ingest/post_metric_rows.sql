-- The observations of a batch of post.metrics events, one per post and observed_at (the newest event's when two
-- carry the same): what ingest.upsert_post_metrics stores. Grain: one row per (post, observed_at).
CREATE OR REPLACE FUNCTION ingest.post_metric_rows(event_ids text[], occurred timestamp with time zone[], post_ids text[], observed timestamp with time zone[], impressions bigint[], members_reached bigint[], reactions bigint[], comments bigint[], reshares bigint[], clicks bigint[], saves bigint[], sends bigint[], followers_gained bigint[])
 RETURNS TABLE(event_id text, occurred_at timestamp with time zone, post_id text, observed_at timestamp with time zone, impressions bigint, members_reached bigint, reactions bigint, comments bigint, reshares bigint, clicks bigint, saves bigint, sends bigint, followers_gained bigint)
 LANGUAGE sql
 IMMUTABLE
AS $function$
        SELECT DISTINCT ON (e.post_id, e.observed_at) *
        FROM unnest(event_ids, occurred, post_ids, observed, impressions, members_reached, reactions, comments,
                    reshares, clicks, saves, sends, followers_gained)
             AS e (event_id, occurred_at, post_id, observed_at, impressions, members_reached, reactions, comments,
                   reshares, clicks, saves, sends, followers_gained)
        ORDER BY e.post_id, e.observed_at, e.occurred_at DESC, e.event_id DESC
    $function$;
