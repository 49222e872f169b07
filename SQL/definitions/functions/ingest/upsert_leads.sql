-- Stores a batch of leads. Facts that describe one thing: the newest fact about each lead (greatest occurred_at,
-- then event id) wins, whatever the order of arrival. Grain: one row per lead.
CREATE OR REPLACE FUNCTION ingest.upsert_leads(org uuid, event_ids text[], occurred timestamp with time zone[], lead_ids text[], created timestamp with time zone[], channels text[], ambassador_ids text[], post_ids text[], estimated_values numeric[], currencies text[])
 RETURNS void
 LANGUAGE plpgsql
AS $function$#variable_conflict use_column
BEGIN

        INSERT INTO fact.leads AS t (organization_id, lead_id, created_at, source_channel, ambassador_id, post_id,
                                     estimated_value, currency, source_occurred_at, source_event_id)
        SELECT DISTINCT ON (e.lead_id) org, e.lead_id, e.created_at, e.channel::core.channel, e.ambassador_id,
               e.post_id, e.estimated_value, e.currency, e.occurred_at, e.event_id
        FROM unnest(event_ids, occurred, lead_ids, created, channels, ambassador_ids, post_ids, estimated_values, currencies)
             AS e (event_id, occurred_at, lead_id, created_at, channel, ambassador_id, post_id, estimated_value, currency)
        ORDER BY e.lead_id, e.occurred_at DESC, e.event_id DESC
        ON CONFLICT (organization_id, lead_id) DO UPDATE
        SET created_at = excluded.created_at, source_channel = excluded.source_channel,
            ambassador_id = excluded.ambassador_id, post_id = excluded.post_id,
            estimated_value = excluded.estimated_value, currency = excluded.currency,
            source_occurred_at = excluded.source_occurred_at, source_event_id = excluded.source_event_id
        WHERE (excluded.source_occurred_at, excluded.source_event_id) > (t.source_occurred_at, t.source_event_id);
END$function$;
