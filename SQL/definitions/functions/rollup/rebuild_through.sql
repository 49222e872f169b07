-- Rebuilds the cumulative rows from day `since` on, after rollup.maintain recomputed days >= since (`posters`: the
-- ambassadors whose posting days changed, some of whom may have no post left). Ordinals first: new posters and
-- content items appended, posters with no day left forgotten. Each row is then the row before plus its day (its
-- week for rollup.slice_weeks), so the rows before `since`, whose days did not change, are kept. Grain: one
-- organisation, from a day on.
CREATE OR REPLACE FUNCTION rollup.rebuild_through(org uuid, since date, posters bytea[])
 RETURNS void
 LANGUAGE plpgsql
AS $function$
    DECLARE
        ids text[];
        items text[];
        d date;
        slice record;
        week_start date;
        run_week date;
        last_day date;
        entities text[];
        run_posts integer[];
        run_impressions bigint[];
        run_engagements bigint[];
        run_shares integer[];
        run_content_impressions bigint[];
        run_content_engagements bigint[];
    BEGIN
        SELECT p.ambassador_ids INTO ids FROM rollup.posters AS p WHERE p.organization_id = org;
        WITH known AS (
            SELECT s.id, s.ordinal FROM unnest(coalesce(ids, '{}')) WITH ORDINALITY AS s (id, ordinal)
        ),
        gone AS (
            SELECT convert_from(c.entity, 'UTF8') AS id
            FROM unnest(posters) AS c (entity)
            WHERE NOT EXISTS (SELECT FROM rollup.entity_days AS e
                              WHERE e.organization_id = org AND e.kind = 'poster' AND e.entity = c.entity)
        )
        SELECT ARRAY(SELECT CASE WHEN k.id IN (SELECT g.id FROM gone AS g) THEN NULL ELSE k.id END FROM known AS k ORDER BY k.ordinal)
               || ARRAY(SELECT DISTINCT p.ambassador_id FROM rollup.poster_days AS p
                        WHERE p.organization_id = org AND p.day >= since
                          AND p.ambassador_id NOT IN (SELECT k.id FROM known AS k WHERE k.id IS NOT NULL)
                        ORDER BY p.ambassador_id)
        INTO ids;
        PERFORM rollup.save_posters(org, ids);

        SELECT c.content_ids INTO items FROM rollup.contents AS c WHERE c.organization_id = org;
        items := coalesce(items, '{}') || ARRAY(
            SELECT DISTINCT c.content_id FROM rollup.content_days AS c
            WHERE c.organization_id = org AND c.day >= since
              AND c.content_id NOT IN (SELECT s.id FROM unnest(coalesce(items, '{}')) AS s (id))
            ORDER BY c.content_id);
        INSERT INTO rollup.contents (organization_id, content_ids) VALUES (org, items)
        ON CONFLICT (organization_id) DO UPDATE SET content_ids = excluded.content_ids;

        DELETE FROM rollup.posts_through WHERE organization_id = org AND day >= since;
        DELETE FROM rollup.content_through WHERE organization_id = org AND day >= since;
        SELECT x.posts, x.impressions, x.engagements INTO run_posts, run_impressions, run_engagements
        FROM rollup.posts_through AS x WHERE x.organization_id = org AND x.day < since ORDER BY x.day DESC LIMIT 1;
        SELECT x.shares, x.impressions, x.engagements INTO run_shares, run_content_impressions, run_content_engagements
        FROM rollup.content_through AS x WHERE x.organization_id = org AND x.day < since ORDER BY x.day DESC LIMIT 1;
        -- The posting days are the days with posts in rollup.daily (one primary-key range). The running
        -- arrays are variables: a subscript of a flat integer array is a direct read.
        FOR d IN SELECT r.day FROM rollup.daily AS r WHERE r.organization_id = org AND r.day >= since AND r.posts > 0 ORDER BY r.day
        LOOP
            WITH today AS (
                SELECT s.ordinal, sum(p.posts) AS posts, sum(p.impressions) AS impressions, sum(p.engagements) AS engagements
                FROM rollup.poster_days AS p
                JOIN unnest(ids) WITH ORDINALITY AS s (id, ordinal) ON s.id = p.ambassador_id
                WHERE p.organization_id = org AND p.day = d
                GROUP BY s.ordinal
            )
            SELECT coalesce(array_agg(coalesce(run_posts[i], 0) + coalesce(t.posts, 0) ORDER BY i), '{}'),
                   coalesce(array_agg(coalesce(run_impressions[i], 0) + coalesce(t.impressions, 0) ORDER BY i), '{}'),
                   coalesce(array_agg(coalesce(run_engagements[i], 0) + coalesce(t.engagements, 0) ORDER BY i), '{}')
            INTO run_posts, run_impressions, run_engagements
            FROM generate_series(1, cardinality(ids)) AS i
            LEFT JOIN today AS t ON t.ordinal = i;
            INSERT INTO rollup.posts_through (organization_id, day, posts, impressions, engagements)
            VALUES (org, d, run_posts, run_impressions, run_engagements);

            WITH today AS (
                SELECT s.ordinal, c.shares, c.impressions, c.engagements
                FROM rollup.content_days AS c
                JOIN unnest(items) WITH ORDINALITY AS s (id, ordinal) ON s.id = c.content_id
                WHERE c.organization_id = org AND c.day = d
            )
            SELECT coalesce(array_agg(coalesce(run_shares[i], 0) + coalesce(t.shares, 0) ORDER BY i), '{}'),
                   coalesce(array_agg(coalesce(run_content_impressions[i], 0) + coalesce(t.impressions, 0) ORDER BY i), '{}'),
                   coalesce(array_agg(coalesce(run_content_engagements[i], 0) + coalesce(t.engagements, 0) ORDER BY i), '{}')
            INTO run_shares, run_content_impressions, run_content_engagements
            FROM generate_series(1, cardinality(items)) AS i
            LEFT JOIN today AS t ON t.ordinal = i;
            INSERT INTO rollup.content_through (organization_id, day, shares, impressions, engagements)
            VALUES (org, d, run_shares, run_content_impressions, run_content_engagements);
        END LOOP;

        -- The week rows whose cumulative numbers include a day >= since (a row of Monday w holds everything before
        -- w) go; each slice then goes on from its latest row left, week by week, up to the last complete week. The
        -- week of the last posting day gets no row: a fact of the current week rewrites no array (readers add the
        -- days after a slice's latest row, whatever their number).
        DELETE FROM rollup.slice_weeks WHERE organization_id = org AND slice_weeks.week > since;
        SELECT max(r.day) INTO last_day FROM rollup.daily AS r WHERE r.organization_id = org AND r.posts > 0;
        FOR slice IN
            SELECT DISTINCT a.axis, x.dimensions AS dimension, x.value1 AS value
            FROM rollup.slice_days AS x
            JOIN (VALUES ('poster', 'network'), ('poster', 'campaign'), ('content', 'team'), ('content', 'department'),
                         ('content', 'region'), ('content', 'network')) AS a (axis, dimension) ON a.dimension = x.dimensions
            WHERE x.organization_id = org AND x.dimensions IN ('team', 'department', 'region', 'network', 'campaign')
              AND x.value1 IS NOT NULL
        LOOP
            entities := CASE WHEN slice.axis = 'poster' THEN ids ELSE items END;
            run_week := NULL;
            run_posts := NULL;
            run_impressions := NULL;
            run_engagements := NULL;
            SELECT w.week, w.posts, w.impressions, w.engagements INTO run_week, run_posts, run_impressions, run_engagements
            FROM rollup.slice_weeks AS w
            WHERE w.organization_id = org AND w.axis = slice.axis AND w.dimension = slice.dimension AND w.value = slice.value
              AND w.week <= since
            ORDER BY w.week DESC LIMIT 1;
            FOR week_start IN SELECT DISTINCT date_trunc('week', s.day::timestamp)::date FROM rollup.entity_slice_days AS s
                              WHERE s.organization_id = org AND s.axis = slice.axis AND s.dimension = slice.dimension
                                AND s.value = slice.value AND s.day >= coalesce(run_week, '-infinity')
                              ORDER BY 1
            LOOP
                EXIT WHEN week_start + 7 > last_day;
                WITH this_week AS (
                    SELECT o.ordinal, sum(s.posts) AS posts, sum(s.impressions) AS impressions, sum(s.engagements) AS engagements
                    FROM rollup.entity_slice_days AS s
                    JOIN unnest(entities) WITH ORDINALITY AS o (id, ordinal) ON o.id = s.entity_id
                    WHERE s.organization_id = org AND s.axis = slice.axis AND s.dimension = slice.dimension
                      AND s.value = slice.value AND s.day BETWEEN week_start AND week_start + 6
                    GROUP BY o.ordinal
                )
                SELECT coalesce(array_agg(coalesce(run_posts[i], 0) + coalesce(t.posts, 0) ORDER BY i), '{}'),
                       coalesce(array_agg(coalesce(run_impressions[i], 0) + coalesce(t.impressions, 0) ORDER BY i), '{}'),
                       coalesce(array_agg(coalesce(run_engagements[i], 0) + coalesce(t.engagements, 0) ORDER BY i), '{}')
                INTO run_posts, run_impressions, run_engagements
                FROM generate_series(1, cardinality(entities)) AS i
                LEFT JOIN this_week AS t ON t.ordinal = i;
                INSERT INTO rollup.slice_weeks (organization_id, axis, dimension, value, week, posts, impressions, engagements)
                VALUES (org, slice.axis, slice.dimension, slice.value, week_start + 7, run_posts, run_impressions, run_engagements);
            END LOOP;
        END LOOP;
    END
    $function$;
