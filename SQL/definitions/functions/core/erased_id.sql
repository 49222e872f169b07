-- erasure of personal data. A person's identifying fields are removed, and their identifiers are replaced by new
-- random ones, the same in every table, so that every aggregate KPI stays exactly what it was (the same rows,
-- the same joins, the same distinct counts) and nothing points back to the person. Refused items whose raw text
-- names the person are deleted. Each function returns how many rows changed. A replacement identifier: random,
-- never reused, recognisable as erased.
CREATE OR REPLACE FUNCTION core.erased_id()
 RETURNS text
 LANGUAGE sql
AS $function$ SELECT 'erased-' || replace(gen_random_uuid()::text, '-', '') $function$;
