-- A replacement identifier for an erased person: random, never reused, recognisable as erased. Erasure replaces a
-- person's identifiers with one of these, the same in every table, so aggregates keep their joins and distinct
-- counts. Grain: one new id per call.
CREATE OR REPLACE FUNCTION core.erased_id()
 RETURNS text
 LANGUAGE sql
AS $function$ SELECT 'erased-' || replace(gen_random_uuid()::text, '-', '') $function$;
