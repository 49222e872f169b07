-- Stores a batch of applications. Facts that describe one thing: the newest fact about each application (greatest
-- occurred_at, then event id) wins, whatever the order of arrival. Grain: one row per application.
CREATE OR REPLACE FUNCTION ingest.upsert_applications(org uuid, event_ids text[], occurred timestamp with time zone[], application_ids text[], job_ids text[], applied timestamp with time zone[], channels text[], ambassador_ids text[], candidate_refs text[])
 RETURNS void
 LANGUAGE plpgsql
AS $function$#variable_conflict use_column
BEGIN

        INSERT INTO fact.applications AS t (organization_id, application_id, job_id, applied_at, source_channel,
                                            ambassador_id, candidate_ref, source_occurred_at, source_event_id)
        SELECT DISTINCT ON (e.application_id) org, e.application_id, e.job_id, e.applied_at, e.channel::core.application_channel,
               e.ambassador_id, e.candidate_ref, e.occurred_at, e.event_id
        FROM unnest(event_ids, occurred, application_ids, job_ids, applied, channels, ambassador_ids, candidate_refs)
             AS e (event_id, occurred_at, application_id, job_id, applied_at, channel, ambassador_id, candidate_ref)
        ORDER BY e.application_id, e.occurred_at DESC, e.event_id DESC
        ON CONFLICT (organization_id, application_id) DO UPDATE
        SET job_id = excluded.job_id, applied_at = excluded.applied_at, source_channel = excluded.source_channel,
            ambassador_id = excluded.ambassador_id, candidate_ref = excluded.candidate_ref,
            source_occurred_at = excluded.source_occurred_at, source_event_id = excluded.source_event_id
        WHERE (excluded.source_occurred_at, excluded.source_event_id) > (t.source_occurred_at, t.source_event_id);
END$function$;
