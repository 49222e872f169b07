-- Recomputes the queued days of an organisation, oldest first: at most max_days of them, only those in [from, to]
-- when given (NULL: any). With wait, it waits for another maintainer of the organisation to finish (a reader that
-- needs the days now); without, it returns -1 at once when one is at work (a background worker: the other one does
-- the job). Returns how many days it recomputed. Grain: one organisation.
CREATE OR REPLACE FUNCTION rollup.maintain(org uuid, from_date date DEFAULT NULL::date, to_date date DEFAULT NULL::date, max_days integer DEFAULT 8, wait boolean DEFAULT false)
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
    DECLARE
        lock_key CONSTANT bigint := hashtextextended('rollup:' || org::text, 0);
        batch date[];
        d date;
        posters bytea[] := '{}';
        since date;
        ssi_since date;
        ambassadors_changed boolean := false;
        recomputed date[] := '{}';
        done integer := 0;
    BEGIN
        IF NOT EXISTS (SELECT FROM rollup.dirty_days AS q WHERE q.organization_id = org
                       AND q.day BETWEEN coalesce(from_date, '-infinity') AND coalesce(to_date, 'infinity')) THEN
            RETURN 0;
        END IF;
        IF wait THEN
            PERFORM pg_advisory_xact_lock(lock_key);
        ELSIF NOT pg_try_advisory_xact_lock(lock_key) THEN
            RETURN -1;
        END IF;
        LOOP
            SELECT array_agg(q.day ORDER BY q.day) INTO batch
            FROM (
                SELECT DISTINCT q.day FROM rollup.dirty_days AS q
                WHERE q.organization_id = org AND q.day BETWEEN coalesce(from_date, '-infinity') AND coalesce(to_date, 'infinity')
                ORDER BY q.day
                LIMIT greatest(max_days - done, 0)
            ) AS q;
            EXIT WHEN batch IS NULL;
            DELETE FROM rollup.dirty_days WHERE organization_id = org AND day = ANY (batch);
            FOREACH d IN ARRAY batch LOOP
                IF d = '-infinity' THEN
                    ambassadors_changed := true;
                ELSE
                    posters := posters || rollup.recompute_day(org, d);
                    IF rollup.recompute_post_days(org, d) THEN
                        since := least(since, d);
                    END IF;
                    PERFORM rollup.recompute_visit_slices(org, d);
                    IF rollup.recompute_ssi_spans(org, d) THEN
                        ssi_since := least(ssi_since, d);
                    END IF;
                END IF;
            END LOOP;
            recomputed := recomputed || batch;
            done := done + cardinality(batch);
        END LOOP;
        PERFORM rollup.recompute_visitor_buckets(org, recomputed);
        IF ssi_since IS NOT NULL THEN
            PERFORM rollup.rebuild_ssi_days(org, ssi_since);
        END IF;
        IF since IS NOT NULL THEN
            PERFORM rollup.rebuild_through(org, since, ARRAY(SELECT DISTINCT p FROM unnest(posters) AS p));
        ELSIF ambassadors_changed THEN
            PERFORM rollup.save_posters(org, p.ambassador_ids) FROM rollup.posters AS p WHERE p.organization_id = org;
        END IF;
        RETURN done;
    END
    $function$;
