-- Stores a batch of audience touches, each with its member's pseudonym, and keeps each member's first touch in
-- fact.audience_members (for reach to new audiences). Grain: one row per event.
CREATE OR REPLACE FUNCTION ingest.insert_audience_touches(org uuid, event_ids text[], members text[], post_ids text[], ambassador_ids text[], touched timestamp with time zone[])
 RETURNS void
 LANGUAGE plpgsql
AS $function$
    BEGIN
        WITH batch AS (
            SELECT e.event_id, core.pseudonym(o.pseudonym_key, e.member) AS member_hash, e.post_id, e.ambassador_id,
                   e.touched_at
            FROM (
                SELECT unnest(event_ids) AS event_id, unnest(members) AS member, unnest(post_ids) AS post_id,
                       unnest(ambassador_ids) AS ambassador_id, unnest(touched) AS touched_at
            ) AS e
            CROSS JOIN core.organizations AS o
            WHERE o.organization_id = org
        ),
        -- The touch's id is its event id, which the ledger has just admitted as new: no conflict to check.
        touches AS (
            INSERT INTO fact.audience_touches (organization_id, touch_id, member_hash, post_id, ambassador_id, occurred_at)
            SELECT org, event_id, member_hash, post_id, ambassador_id, touched_at FROM batch
        )
        INSERT INTO fact.audience_members AS t (organization_id, member_hash, first_touched_at)
        SELECT org, member_hash, min(touched_at) FROM batch GROUP BY member_hash
        ON CONFLICT (organization_id, member_hash) DO UPDATE
        SET first_touched_at = least(t.first_touched_at, excluded.first_touched_at)
        WHERE excluded.first_touched_at < t.first_touched_at;
    END
    $function$;
