-- Rebuilds the cumulative rows from day `since` on, after rollup.maintain recomputed days >= since (`posters`: the
-- ambassadors whose posting days changed, some of whom may have no post left). Ordinals first: new posters and
-- content items appended, posters with no day left forgotten. Each row is then the row before plus its days
-- (rollup.posts_through, rollup.content_through, rollup.slice_through), so the rows before `since`, whose days did not
-- change, are kept. A value's rows are daily, a pair's weekly (at its last day with posts in each week): pairs are
-- most of the slices, each with few posts a day, so a reader adds up at most a week of a pair's days at each
-- end of a period, and a late fact rewrites one row per pair and week since instead of one per day. Its queries are
-- planned for their whole result (cursor_tuple_fraction 1) and for the arrays they are given (a custom plan each
-- time): a generic plan guesses 10 ordinals and loops over them, one index scan of the slice's days per entity.
-- Grain: one organisation, from a day on.
CREATE OR REPLACE FUNCTION rollup.rebuild_through(org uuid, since date, posters bytea[])
 RETURNS void
 LANGUAGE plpgsql
 SET cursor_tuple_fraction TO '1'
 SET plan_cache_mode TO 'force_custom_plan'
AS $function$
    DECLARE
        ids text[];
        items text[];
        d date;
        next_day date;
        kept_day date;
        slice record;
        entities text[];
        width integer;
        ordinal integer;
        count_sum integer;
        number_sum bigint;
        day_ordinals integer[];
        day_posts integer[];
        day_impressions bigint[];
        day_engagements bigint[];
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

        -- Each value's (or pair's) rows from `since` on go; each goes on from its latest row left, adding the days after
        -- it (a pair's row may be followed by unchanged days of its week) element by element to arrays held in
        -- variables.
        DELETE FROM rollup.slice_through WHERE organization_id = org AND slice_through.day >= since;
        FOR slice IN
            SELECT DISTINCT a.axis, x.dimensions, x.value1, x.value2
            FROM rollup.slice_days AS x
            JOIN (VALUES ('poster', 'network'), ('poster', 'campaign'), ('poster', 'network,campaign'), ('content', 'team'),
                         ('content', 'department'), ('content', 'region'), ('content', 'network'), ('content', 'team,department'),
                         ('content', 'team,region'), ('content', 'team,network'), ('content', 'department,region'),
                         ('content', 'department,network'), ('content', 'region,network')) AS a (axis, dimensions)
              ON a.dimensions = x.dimensions
            WHERE x.organization_id = org AND x.day >= since AND x.value1 IS NOT NULL AND x.value2 IS NOT NULL
        LOOP
            entities := CASE WHEN slice.axis = 'poster' THEN ids ELSE items END;
            kept_day := NULL;
            run_posts := NULL;
            run_impressions := NULL;
            run_engagements := NULL;
            SELECT t.day, t.posts, t.impressions, t.engagements INTO kept_day, run_posts, run_impressions, run_engagements
            FROM rollup.slice_through AS t
            WHERE t.organization_id = org AND t.axis = slice.axis AND t.dimensions = slice.dimensions
              AND t.value1 = slice.value1 AND t.value2 = slice.value2 AND t.day < since
            ORDER BY t.day DESC LIMIT 1;
            kept_day := coalesce(kept_day, '-infinity');
            -- Entities given an ordinal since that row start at zero.
            width := cardinality(entities) - coalesce(cardinality(run_posts), 0);
            IF width > 0 THEN
                run_posts := coalesce(run_posts, '{}') || array_fill(0, ARRAY[width]);
                run_impressions := coalesce(run_impressions, '{}') || array_fill(0::bigint, ARRAY[width]);
                run_engagements := coalesce(run_engagements, '{}') || array_fill(0::bigint, ARRAY[width]);
            END IF;
            -- A value's days are its entity slice days, a pair's its entity pair days (the other branch is
            -- planned away: each plan is made for the slice it is given).
            FOR d, next_day, day_ordinals, day_posts, day_impressions, day_engagements IN
                SELECT s.day, lead(s.day) OVER (ORDER BY s.day), array_agg(o.ordinal::integer), array_agg(s.posts),
                       array_agg(s.impressions), array_agg(s.engagements)
                FROM (
                    SELECT e.day, e.entity_id, e.posts, e.impressions, e.engagements
                    FROM rollup.entity_slice_days AS e
                    WHERE slice.value2 = '' AND e.organization_id = org AND e.axis = slice.axis
                      AND e.dimension = slice.dimensions AND e.value = slice.value1 AND e.day > kept_day
                    UNION ALL
                    SELECT e.day, e.entity_id, e.posts, e.impressions, e.engagements
                    FROM rollup.entity_pair_days AS e
                    WHERE slice.value2 <> '' AND e.organization_id = org AND e.axis = slice.axis
                      AND e.dimensions = slice.dimensions AND e.value1 = slice.value1 AND e.value2 = slice.value2
                      AND e.day > kept_day
                ) AS s
                JOIN unnest(entities) WITH ORDINALITY AS o (id, ordinal) ON o.id = s.entity_id
                GROUP BY s.day
                ORDER BY s.day
            LOOP
                -- An element is assigned in place only when the array is not read in the same statement: each
                -- element is read into a variable first.
                FOR i IN 1 .. cardinality(day_ordinals) LOOP
                    ordinal := day_ordinals[i];
                    count_sum := run_posts[ordinal] + day_posts[i];
                    run_posts[ordinal] := count_sum;
                    number_sum := run_impressions[ordinal] + day_impressions[i];
                    run_impressions[ordinal] := number_sum;
                    number_sum := run_engagements[ordinal] + day_engagements[i];
                    run_engagements[ordinal] := number_sum;
                END LOOP;
                IF slice.value2 = '' OR next_day IS NULL OR date_trunc('week', next_day) <> date_trunc('week', d) THEN
                    INSERT INTO rollup.slice_through (organization_id, axis, dimensions, value1, value2, day, posts, impressions, engagements)
                    VALUES (org, slice.axis, slice.dimensions, slice.value1, slice.value2, d, run_posts, run_impressions, run_engagements);
                END IF;
            END LOOP;
        END LOOP;
    END
    $function$;
