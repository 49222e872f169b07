-- The keyed hash that stands for a visitor or an audience member: sha256(organisation's key || identifier).
-- Grain: one value per identifier. A plain expression, STABLE like convert_to, so PostgreSQL inlines it;
-- callers join the organisation once for its key.
CREATE OR REPLACE FUNCTION core.pseudonym(key bytea, identifier text)
 RETURNS core.pseudonym
 LANGUAGE sql
 STABLE
AS $function$ SELECT sha256(key || convert_to(identifier, 'UTF8'))::core.pseudonym $function$;

COMMENT ON FUNCTION core.pseudonym(bytea, text) IS
    'The keyed hash that stands for a visitor or an audience member. STABLE (convert_to is), so it is inlined.';
