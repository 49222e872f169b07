-- What the ledger keeps of an erased person's event id: 'erased:' and the hex of its keyed hash
-- (core.pseudonym). Not reversible without the organisation's pseudonym key, yet the same id sent again
-- finds it, so a retried event of an erased person is still a duplicate. Grain: one value per event id.
CREATE OR REPLACE FUNCTION core.erased_event_id(key bytea, event_id text)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE
AS $function$ SELECT 'erased:' || encode(sha256(key || convert_to(event_id, 'UTF8')), 'hex') $function$;
