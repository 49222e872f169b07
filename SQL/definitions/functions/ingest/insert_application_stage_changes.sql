-- Stores a batch of application stage changes. Stage changes are facts of their own (their id is the event id, new
-- by the ledger): all are kept, in any order, even before their application arrives. Grain: one row per event.
CREATE OR REPLACE FUNCTION ingest.insert_application_stage_changes(org uuid, event_ids text[], application_ids text[], stages text[], changed timestamp with time zone[])
 RETURNS void
 LANGUAGE plpgsql
AS $function$#variable_conflict use_column
BEGIN

        INSERT INTO fact.application_stage_changes (organization_id, change_id, application_id, stage, changed_at)
        SELECT org, e.event_id, e.application_id, e.stage::core.application_stage, e.changed_at
        FROM unnest(event_ids, application_ids, stages, changed) AS e (event_id, application_id, stage, changed_at);
END$function$;
