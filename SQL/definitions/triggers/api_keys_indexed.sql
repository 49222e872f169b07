-- Every new key's id goes into core.api_key_index, the one tenant-free table, where a request finds the key's
-- organisation before any organisation is set. Grain: one index row per key.
CREATE OR REPLACE TRIGGER api_keys_indexed AFTER INSERT ON core.api_keys
    FOR EACH ROW EXECUTE FUNCTION core.index_api_key();
