-- Every primary and unique key of a tenant table leads with organization_id, as a distribution by organisation
-- (Citus) needs: the queue's key, and no key id unique on its own in core.api_keys (core.api_key_index, a
-- lookup keyed by key id, keeps ids unique across organisations).
ALTER TABLE rollup.dirty_days DROP CONSTRAINT dirty_days_pkey;
ALTER TABLE rollup.dirty_days ADD PRIMARY KEY (organization_id, entry_id);

ALTER TABLE core.api_keys DROP CONSTRAINT api_keys_key_id_key;
