-- Dashboard sign-in sessions. The browser holds an opaque token (ses_<key id>_<secret>); only the SHA-256 of
-- the secret is stored. A session ends at expires_at, after an idle time (last_seen_at, checked by the
-- service against its setting), at sign-out (revoked_at), and with its key (revocation, expiry, deletion).
CREATE TABLE core.sessions (
    organization_id uuid NOT NULL,
    session_hash    bytea NOT NULL CHECK (length(session_hash) = 32),
    key_id          uuid NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_seen_at    timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    revoked_at      timestamptz,
    PRIMARY KEY (organization_id, session_hash),
    FOREIGN KEY (organization_id, key_id) REFERENCES core.api_keys ON DELETE CASCADE,
    CHECK (expires_at > created_at)
);

-- Revoking a key revokes its sessions.
CREATE INDEX sessions_by_key ON core.sessions (organization_id, key_id);
