-- Makes a table queue the days its changes affect: writes the day query into
-- rollup.queue_days_of_<schema>_<table>() and (re)creates the table's three statement triggers that run it over
-- the transition table. Called by definitions/triggers/rollup_queue.sql. Grain: one watched table.
CREATE OR REPLACE FUNCTION rollup.watch(watched regclass, day_query text)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
    DECLARE
        queue CONSTANT text := format('rollup.%I', 'queue_days_of_' || replace(watched::text, '.', '_'));
        -- An organisation being deleted (its facts go by cascade) has nothing left to maintain.
        insert_days CONSTANT text :=
            'INSERT INTO rollup.dirty_days (organization_id, day) SELECT DISTINCT d.* FROM (%s) AS d (org, day) WHERE d.day IS NOT NULL'
            ' AND EXISTS (SELECT FROM core.organizations AS o WHERE o.organization_id = d.org);';
    BEGIN
        EXECUTE format('CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS %L', queue,
                       E'BEGIN\n'
                       || E'IF TG_OP IN (''INSERT'', ''UPDATE'') THEN\n' || format(insert_days, replace(day_query, '$rows', 'new_rows'))
                       || E'\nEND IF;\n'
                       || E'IF TG_OP IN (''UPDATE'', ''DELETE'') THEN\n' || format(insert_days, replace(day_query, '$rows', 'old_rows'))
                       || E'\nEND IF;\nRETURN NULL;\nEND');
        EXECUTE format('CREATE OR REPLACE TRIGGER queue_inserted_days AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION %s()', watched, queue);
        EXECUTE format('CREATE OR REPLACE TRIGGER queue_updated_days AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION %s()', watched, queue);
        EXECUTE format('CREATE OR REPLACE TRIGGER queue_deleted_days AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION %s()', watched, queue);
    END
    $function$;
