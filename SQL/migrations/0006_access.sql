-- 0006: API keys with scopes, and the audit log of admin actions.
--
-- A key is shown once, at creation, as adv_<key id>_<secret>; only sha256(secret) is kept.

CREATE TABLE core.api_keys (
    organization_id uuid NOT NULL REFERENCES core.organizations ON DELETE CASCADE,
    key_id          uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- ingest: post events; marketing: every KPI but candidate-level rows; hr: candidate KPIs and careers
    -- traffic; admin: keys, goals, the audit log (and everything the others may do).
    scopes          text[] NOT NULL CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['ingest', 'marketing', 'hr', 'admin']),
    secret_hash     bytea NOT NULL CHECK (octet_length(secret_hash) = 32),
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz,
    revoked_at      timestamptz,
    last_used_at    timestamptz,
    PRIMARY KEY (organization_id, key_id)
);

-- What admins did: key creation and revocation, goals, erasures. Read by admin keys only.
CREATE TABLE core.audit_log (
    organization_id uuid NOT NULL REFERENCES core.organizations ON DELETE CASCADE,
    audit_id        bigint GENERATED ALWAYS AS IDENTITY,
    at              timestamptz NOT NULL DEFAULT now(),
    actor_key_id    uuid,                      -- NULL for the command line
    action          text NOT NULL CHECK (action ~ '^[a-z_.]+$'),
    target          text,
    detail          jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (organization_id, audit_id)
);
