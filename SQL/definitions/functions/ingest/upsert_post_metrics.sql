-- Stores a batch of post metric observations (ingest.post_metric_rows). Nearly all are new: they are inserted
-- plainly, which checks uniqueness once; a batch holding a stored key (a correction, a retry under another event
-- id) fails on it and is written the careful way, which keeps the newer fact. Grain: one row per (post,
-- observed_at).
CREATE OR REPLACE FUNCTION ingest.upsert_post_metrics(org uuid, event_ids text[], occurred timestamp with time zone[], post_ids text[], observed timestamp with time zone[], impressions bigint[], members_reached bigint[], reactions bigint[], comments bigint[], reshares bigint[], clicks bigint[], saves bigint[], sends bigint[], followers_gained bigint[])
 RETURNS void
 LANGUAGE plpgsql
AS $function$
    BEGIN
        INSERT INTO fact.post_metric_observations (organization_id, post_id, observed_at, impressions, members_reached,
            reactions, comments, reshares, clicks, saves, sends, followers_gained, source_occurred_at, source_event_id)
        SELECT org, unnest(post_ids), unnest(observed), unnest(impressions), unnest(members_reached), unnest(reactions),
               unnest(comments), unnest(reshares), unnest(clicks), unnest(saves), unnest(sends), unnest(followers_gained),
               unnest(occurred), unnest(event_ids);
    EXCEPTION WHEN unique_violation THEN
        -- The same post and observed_at again, stored or in this batch (a correction, or a retry under another
        -- event id): the newer event's counters win.
        INSERT INTO fact.post_metric_observations AS t (organization_id, post_id, observed_at, impressions, members_reached,
            reactions, comments, reshares, clicks, saves, sends, followers_gained, source_occurred_at, source_event_id)
        SELECT org, b.post_id, b.observed_at, b.impressions, b.members_reached, b.reactions, b.comments, b.reshares,
               b.clicks, b.saves, b.sends, b.followers_gained, b.occurred_at, b.event_id
        FROM ingest.post_metric_rows(event_ids, occurred, post_ids, observed, impressions, members_reached, reactions,
                                     comments, reshares, clicks, saves, sends, followers_gained) AS b
        ON CONFLICT (organization_id, post_id, observed_at) DO UPDATE
        SET impressions = excluded.impressions, members_reached = excluded.members_reached,
            reactions = excluded.reactions, comments = excluded.comments, reshares = excluded.reshares,
            clicks = excluded.clicks, saves = excluded.saves, sends = excluded.sends,
            followers_gained = excluded.followers_gained, source_occurred_at = excluded.source_occurred_at,
            source_event_id = excluded.source_event_id
        WHERE (excluded.source_occurred_at, excluded.source_event_id) > (t.source_occurred_at, t.source_event_id);
    END
    $function$;
