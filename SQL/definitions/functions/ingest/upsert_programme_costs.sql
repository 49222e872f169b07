-- Stores a batch of programme costs. Facts that describe one thing: the newest fact about each cost (greatest
-- occurred_at, then event id) wins, whatever the order of arrival. Grain: one row per cost.
CREATE OR REPLACE FUNCTION ingest.upsert_programme_costs(org uuid, event_ids text[], occurred timestamp with time zone[], cost_ids text[], starts date[], ends date[], categories text[], amounts numeric[], currencies text[], notes text[])
 RETURNS void
 LANGUAGE plpgsql
AS $function$#variable_conflict use_column
BEGIN

        INSERT INTO core.programme_costs AS t (organization_id, cost_id, period_start, period_end, category, amount,
                                               currency, note, source_occurred_at, source_event_id)
        SELECT DISTINCT ON (e.cost_id) org, e.cost_id, e.period_start, e.period_end, e.category::core.cost_category,
               e.amount, e.currency, e.note, e.occurred_at, e.event_id
        FROM unnest(event_ids, occurred, cost_ids, starts, ends, categories, amounts, currencies, notes)
             AS e (event_id, occurred_at, cost_id, period_start, period_end, category, amount, currency, note)
        ORDER BY e.cost_id, e.occurred_at DESC, e.event_id DESC
        ON CONFLICT (organization_id, cost_id) DO UPDATE
        SET period_start = excluded.period_start, period_end = excluded.period_end, category = excluded.category,
            amount = excluded.amount, currency = excluded.currency, note = excluded.note,
            source_occurred_at = excluded.source_occurred_at, source_event_id = excluded.source_event_id
        WHERE (excluded.source_occurred_at, excluded.source_event_id) > (t.source_occurred_at, t.source_event_id);
END$function$;
