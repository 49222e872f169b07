-- Recomputes core.ambassadors and core.ambassador_networks for the given ambassadors from all their events
-- (core.ambassador_events): each attribute takes its value from the latest fact that mentions it. Grain: one row
-- per ambassador (and network).
CREATE OR REPLACE FUNCTION ingest.refresh_ambassadors(org uuid, ambassador_ids text[])
 RETURNS void
 LANGUAGE sql
AS $function$
        WITH events AS (
            SELECT * FROM core.ambassador_events
            WHERE organization_id = org AND ambassador_id = ANY (ambassador_ids)
        ),
        -- The latest value of every attribute key, per ambassador.
        latest_attributes AS (
            SELECT DISTINCT ON (e.ambassador_id, a.key) e.ambassador_id, a.key, a.value, e.occurred_at
            FROM events AS e, jsonb_each(e.attributes) AS a
            ORDER BY e.ambassador_id, a.key, e.occurred_at DESC, e.event_id DESC
        ),
        latest_enrolment AS (
            SELECT DISTINCT ON (ambassador_id) ambassador_id, effective_at AS enrolled_at
            FROM events WHERE kind = 'enrolled'
            ORDER BY ambassador_id, occurred_at DESC, event_id DESC
        ),
        latest_leaving AS (
            SELECT DISTINCT ON (ambassador_id) ambassador_id, effective_at AS left_at
            FROM events WHERE kind = 'left'
            ORDER BY ambassador_id, occurred_at DESC, event_id DESC
        ),
        current AS (
            SELECT a.ambassador_id,
                   max(la.value #>> '{}') FILTER (WHERE la.key = 'display_name') AS display_name,
                   max(la.value #>> '{}') FILTER (WHERE la.key = 'team') AS team,
                   max(la.value #>> '{}') FILTER (WHERE la.key = 'department') AS department,
                   max(la.value #>> '{}') FILTER (WHERE la.key = 'region') AS region,
                   (SELECT max(occurred_at) FROM events AS e WHERE e.ambassador_id = a.ambassador_id) AS as_of
            FROM (SELECT DISTINCT ambassador_id FROM events) AS a
            LEFT JOIN latest_attributes AS la USING (ambassador_id)
            GROUP BY a.ambassador_id
        ),
        upserted AS (
            INSERT INTO core.ambassadors AS t (organization_id, ambassador_id, display_name, team, department, region,
                                               enrolled_at, left_at, attributes_as_of)
            SELECT org, c.ambassador_id, c.display_name, c.team, c.department, c.region, en.enrolled_at,
                   -- Leaving before the latest enrolment means the ambassador came back: not left.
                   CASE WHEN lv.left_at >= coalesce(en.enrolled_at, '-infinity') THEN lv.left_at END,
                   c.as_of
            FROM current AS c
            LEFT JOIN latest_enrolment AS en USING (ambassador_id)
            LEFT JOIN latest_leaving AS lv USING (ambassador_id)
            ON CONFLICT (organization_id, ambassador_id) DO UPDATE
            SET display_name = excluded.display_name, team = excluded.team, department = excluded.department,
                region = excluded.region, enrolled_at = excluded.enrolled_at, left_at = excluded.left_at,
                attributes_as_of = excluded.attributes_as_of
            RETURNING t.ambassador_id
        ),
        networks AS (
            SELECT la.ambassador_id, substr(la.key, 10)::core.network AS network,
                   (la.value #>> '{}')::bigint AS connection_count, la.occurred_at
            FROM latest_attributes AS la
            WHERE la.key LIKE 'networks.%' AND jsonb_typeof(la.value) = 'number'
        )
        INSERT INTO core.ambassador_networks AS t (organization_id, ambassador_id, network, connection_count, as_of)
        SELECT org, n.ambassador_id, n.network, n.connection_count, n.occurred_at
        FROM networks AS n
        WHERE n.ambassador_id IN (SELECT ambassador_id FROM upserted)
        ON CONFLICT (organization_id, ambassador_id, network) DO UPDATE
        SET connection_count = excluded.connection_count, as_of = excluded.as_of
    $function$;
