-- Stores a batch of lead stage changes. Stage changes are facts of their own (their id is the event id, new by the
-- ledger): all are kept, in any order, even before their lead arrives. Grain: one row per event.
CREATE OR REPLACE FUNCTION ingest.insert_lead_stage_changes(org uuid, event_ids text[], lead_ids text[], stages text[], changed timestamp with time zone[], amounts numeric[], currencies text[])
 RETURNS void
 LANGUAGE plpgsql
AS $function$#variable_conflict use_column
BEGIN

        INSERT INTO fact.lead_stage_changes (organization_id, change_id, lead_id, stage, changed_at, won_amount, currency)
        SELECT org, e.event_id, e.lead_id, e.stage::core.lead_stage, e.changed_at, e.amount, e.currency
        FROM unnest(event_ids, lead_ids, stages, changed, amounts, currencies)
             AS e (event_id, lead_id, stage, changed_at, amount, currency);
END$function$;
