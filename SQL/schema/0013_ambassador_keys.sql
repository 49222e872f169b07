-- The ambassador's own view (GET /v1/me): a key of scope 'ambassador' is bound to one ambassador and reads only
-- that ambassador's numbers. It has that scope alone; no other key names an ambassador.
ALTER TABLE core.api_keys
    ADD COLUMN ambassador_id core.external_id,
    DROP CONSTRAINT api_keys_scopes_check,
    ADD CONSTRAINT api_keys_scopes_check
        CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['ingest', 'marketing', 'hr', 'admin', 'ambassador']),
    ADD CONSTRAINT ambassador_key_is_bound
        CHECK (CASE WHEN ambassador_id IS NULL THEN NOT 'ambassador' = ANY (scopes) ELSE scopes = ARRAY['ambassador'] END);

-- Whether an ambassador's view shows the other ambassadors' display names (beside their ranks): off by default.
ALTER TABLE core.organizations
    ADD COLUMN ambassadors_see_names boolean NOT NULL DEFAULT false;
