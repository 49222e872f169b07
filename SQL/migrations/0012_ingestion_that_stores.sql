-- 0012: ingestion that spends its time storing facts.
--
-- Measured under the ingestion benchmark (README, "Ingestion throughput"), a batch spent much of its time on
-- work that is not storing: planning the same statements again, re-reading the tenant setting for every row,
-- and recomputing rollup days that the next batch was about to touch again.
--   1. The batch writers of 0002 (one statement each, LANGUAGE sql) are planned at every call: they become
--      PL/pgSQL functions with the same statement, whose plan the connection keeps. The ledger is written by
--      ingest.record_events, which inserts a new batch's ids without looking them up first.
--   2. The queueing triggers of 0010 ran their day query through EXECUTE (parsed and planned per statement):
--      each watched table gets a trigger function of its own with the query written in.
--   3. The tenant rule compared organization_id with core.current_organization() row by row, parsing the
--      setting each time: (SELECT core.current_organization()) is computed once per statement.
--   4. The background maintenance leaves an organisation alone while its queue keeps growing (below).

-- 1. Same statements, kept plans. A SQL function's column names win over its parameter names;
-- variable_conflict use_column keeps that rule.
DO $$
DECLARE
    writer record;
BEGIN
    FOR writer IN
        SELECT p.proname, pg_catalog.pg_get_function_arguments(p.oid) AS arguments, p.prosrc
        FROM pg_catalog.pg_proc AS p
        WHERE p.pronamespace = 'ingest'::regnamespace AND p.prolang = (SELECT l.oid FROM pg_catalog.pg_language AS l WHERE l.lanname = 'sql')
          AND (p.proname LIKE 'upsert\_%' OR p.proname LIKE 'insert\_%') AND p.prorettype = 'void'::regtype
    LOOP
        EXECUTE format('CREATE OR REPLACE FUNCTION ingest.%I(%s) RETURNS void LANGUAGE plpgsql AS %L', writer.proname, writer.arguments,
                       E'#variable_conflict use_column\nBEGIN\n' || rtrim(writer.prosrc, E' \n\t;') || E';\nEND');
    END LOOP;
END
$$;

-- The ledger of accepted ids (the exactly-once rule), written by the service until now with INSERT ... ON CONFLICT
-- DO NOTHING, which looks each id up and then inserts it: two descents of the index per event. Nearly every
-- batch is new; a plain insert checks each id once, as it inserts it. A batch holding a known id (a retry)
-- fails on it, and takes the careful way. Returns the ids that were not in the ledger yet.
CREATE FUNCTION ingest.record_events(org uuid, event_ids text[], event_types text[], occurred timestamptz[])
    RETURNS SETOF text
    LANGUAGE plpgsql
    AS $$
    BEGIN
        BEGIN
            INSERT INTO ingest.accepted_events (organization_id, event_id, event_type, occurred_at)
            SELECT org, e.id, e.type, e.occurred_at FROM unnest(event_ids, event_types, occurred) AS e (id, type, occurred_at);
            RETURN QUERY SELECT unnest(event_ids);
            RETURN;
        EXCEPTION WHEN unique_violation THEN
            NULL;  -- the insert is undone; below, the known ids are skipped
        END;
        RETURN QUERY
        INSERT INTO ingest.accepted_events AS a (organization_id, event_id, event_type, occurred_at)
        SELECT org, e.id, e.type, e.occurred_at FROM unnest(event_ids, event_types, occurred) AS e (id, type, occurred_at)
        ON CONFLICT DO NOTHING
        RETURNING a.event_id::text;
    END
    $$;

-- Each post's latest metrics are updated in place by every newer observation (several a day for a week or
-- two). With full pages an update goes to another page and adds an index entry (13 % of them were HOT under
-- the benchmark); room left on each page keeps the new version beside the old one, without touching the index.
ALTER TABLE fact.post_metrics SET (fillfactor = 70);

-- 2. rollup.watch(table, day query) now writes the query into rollup.queue_days_of_<schema>_<table>(), run by
-- the table's three statement triggers (one compiled copy, and one kept plan, per trigger).
CREATE OR REPLACE FUNCTION rollup.watch(watched regclass, day_query text) RETURNS void
    LANGUAGE plpgsql
    AS $$
    DECLARE
        queue CONSTANT text := format('rollup.%I', 'queue_days_of_' || replace(watched::text, '.', '_'));
        insert_days CONSTANT text :=
            'INSERT INTO rollup.dirty_days (organization_id, day) SELECT DISTINCT d.* FROM (%s) AS d (org, day) WHERE d.day IS NOT NULL;';
    BEGIN
        EXECUTE format('CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS %L', queue,
                       E'BEGIN\n'
                       || E'IF TG_OP IN (''INSERT'', ''UPDATE'') THEN\n' || format(insert_days, replace(day_query, '$rows', 'new_rows'))
                       || E'\nEND IF;\n'
                       || E'IF TG_OP IN (''UPDATE'', ''DELETE'') THEN\n' || format(insert_days, replace(day_query, '$rows', 'old_rows'))
                       || E'\nEND IF;\nRETURN NULL;\nEND');
        EXECUTE format('CREATE TRIGGER queue_inserted_days AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION %s()', watched, queue);
        EXECUTE format('CREATE TRIGGER queue_updated_days AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION %s()', watched, queue);
        EXECUTE format('CREATE TRIGGER queue_deleted_days AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION %s()', watched, queue);
    END
    $$;

-- The tables watched so far, with their queries as 0010 and 0011 gave them.
DO $$
DECLARE
    watch record;
BEGIN
    FOR watch IN
        SELECT t.tgrelid::regclass AS watched, convert_from(rtrim(t.tgargs, '\x00'::bytea), 'UTF8') AS day_query
        FROM pg_catalog.pg_trigger AS t
        WHERE t.tgfoid = 'rollup.queue_changed_days'::regproc AND t.tgname = 'queue_inserted_days'
    LOOP
        EXECUTE format('DROP TRIGGER queue_inserted_days ON %s', watch.watched);
        EXECUTE format('DROP TRIGGER queue_updated_days ON %s', watch.watched);
        EXECUTE format('DROP TRIGGER queue_deleted_days ON %s', watch.watched);
        PERFORM rollup.watch(watch.watched, watch.day_query);
    END LOOP;
END
$$;

DROP FUNCTION rollup.queue_changed_days();

-- 3. The same rule, its organisation read once per statement.
DO $$
DECLARE
    keyed regclass;
BEGIN
    FOR keyed IN
        SELECT format('%I.%I', p.schemaname, p.tablename)::regclass FROM pg_catalog.pg_policies AS p WHERE p.policyname = 'tenant_isolation'
    LOOP
        EXECUTE format('ALTER POLICY tenant_isolation ON %s USING (organization_id = (SELECT core.current_organization())) '
                       'WITH CHECK (organization_id = (SELECT core.current_organization()))', keyed);
    END LOOP;
END
$$;

-- 4. Background maintenance that lets a burst settle. Every batch queues the days it touches; a sender
-- streaming a day's visits queues the same day again every few milliseconds. The background worker
-- recomputed it each time, spending a core on days about to change again. It now leaves an organisation
-- alone until its queue has been quiet for a moment, or until its oldest queued day has waited too long.
-- Reads are not affected: a request first recomputes the queued days it reads (rollup.maintain(..., wait)).
DROP FUNCTION rollup.organizations_to_maintain();

-- The organisations with queued days whose newest entry is older than settled_for, or whose oldest is older
-- than at_most_behind: ids only, across tenants (the worker reads them before it acts for any organisation).
CREATE FUNCTION rollup.organizations_to_maintain(settled_for interval DEFAULT '0 s', at_most_behind interval DEFAULT '0 s')
    RETURNS SETOF uuid
    LANGUAGE sql STABLE
    SECURITY DEFINER
    SET search_path = pg_catalog, rollup
    AS $$
        SELECT q.organization_id
        FROM rollup.dirty_days AS q
        GROUP BY q.organization_id
        HAVING max(q.queued_at) <= now() - settled_for OR min(q.queued_at) <= now() - at_most_behind
    $$;
