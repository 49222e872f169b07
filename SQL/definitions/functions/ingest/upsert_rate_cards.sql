-- Stores a batch of EMV rate cards. Facts that describe one thing: the newest fact about each card (network,
-- currency, effective date) wins, whatever the order of arrival. Grain: one row per card.
CREATE OR REPLACE FUNCTION ingest.upsert_rate_cards(org uuid, event_ids text[], occurred timestamp with time zone[], networks text[], currencies text[], effective date[], cpms numeric[], cpcs numeric[], per_reaction numeric[], per_comment numeric[], per_reshare numeric[])
 RETURNS void
 LANGUAGE plpgsql
AS $function$#variable_conflict use_column
BEGIN

        INSERT INTO core.emv_rate_cards AS t (organization_id, network, currency, effective_from, cpm, cpc,
            cost_per_reaction, cost_per_comment, cost_per_reshare, source_occurred_at, source_event_id)
        SELECT DISTINCT ON (e.network, e.currency, e.effective_from) org, e.network::core.network, e.currency,
               e.effective_from, e.cpm, e.cpc, e.per_reaction, e.per_comment, e.per_reshare, e.occurred_at, e.event_id
        FROM unnest(event_ids, occurred, networks, currencies, effective, cpms, cpcs, per_reaction, per_comment, per_reshare)
             AS e (event_id, occurred_at, network, currency, effective_from, cpm, cpc, per_reaction, per_comment, per_reshare)
        ORDER BY e.network, e.currency, e.effective_from, e.occurred_at DESC, e.event_id DESC
        ON CONFLICT (organization_id, network, currency, effective_from) DO UPDATE
        SET cpm = excluded.cpm, cpc = excluded.cpc, cost_per_reaction = excluded.cost_per_reaction,
            cost_per_comment = excluded.cost_per_comment, cost_per_reshare = excluded.cost_per_reshare,
            source_occurred_at = excluded.source_occurred_at, source_event_id = excluded.source_event_id
        WHERE (excluded.source_occurred_at, excluded.source_event_id) > (t.source_occurred_at, t.source_event_id);
END$function$;
