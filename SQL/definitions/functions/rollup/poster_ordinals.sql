-- The ordinal of each ambassador who posted on day d, as {"ambassador id": ordinal}; a poster new to
-- rollup.posters is given the next one first. Grain: one organisation-day.
CREATE OR REPLACE FUNCTION rollup.poster_ordinals(org uuid, d date)
 RETURNS jsonb
 LANGUAGE plpgsql
AS $function$
    DECLARE
        ids text[];
        posters text[];
        newcomers text[];
    BEGIN
        SELECT p.ambassador_ids INTO ids FROM rollup.posters AS p WHERE p.organization_id = org;
        SELECT ARRAY(
            SELECT DISTINCT p.ambassador_id
            FROM core.organizations AS o
            JOIN fact.posts AS p
              ON p.organization_id = org
             AND p.posted_at >= (d::timestamp AT TIME ZONE o.time_zone) AND p.posted_at < ((d + 1)::timestamp AT TIME ZONE o.time_zone)
            WHERE o.organization_id = org)
        INTO posters;
        SELECT ARRAY(SELECT t.id FROM unnest(posters) AS t (id)
                     WHERE NOT EXISTS (SELECT FROM unnest(ids) AS k (id) WHERE k.id = t.id)
                     ORDER BY t.id)
        INTO newcomers;
        IF cardinality(newcomers) > 0 THEN
            ids := coalesce(ids, '{}') || newcomers;
            PERFORM rollup.save_posters(org, ids);
        END IF;
        RETURN coalesce((SELECT jsonb_object_agg(k.id, k.ordinal)
                         FROM unnest(ids) WITH ORDINALITY AS k (id, ordinal)
                         JOIN unnest(posters) AS t (id) ON t.id = k.id), '{}');
    END
    $function$;
