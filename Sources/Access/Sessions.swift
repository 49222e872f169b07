import Foundation
import Postgres

/// Dashboard sign-in sessions (the owner of `core.sessions`). The browser's cookie holds an opaque token,
/// `ses_<key id>_<secret>`, never the key; the database holds the SHA-256 of the secret, the key it was opened
/// with, an absolute expiry and the time it was last seen. A session ends at its expiry, after `idle` without a
/// request, at sign-out, and when its key is revoked or expires.
public enum Sessions {
    public struct Settings: Sendable {
        /// How long a session lasts at most.
        public var lifetime: Duration
        /// How long a session lasts without a request.
        public var idle: Duration

        public init(lifetime: Duration = .seconds(8 * 3600), idle: Duration = .seconds(3600)) {
            self.lifetime = lifetime
            self.idle = idle
        }
    }

    /// Opens a session for a verified key. - Returns: the token for the cookie (shown once, never stored).
    public static func open(for identity: Identity, settings: Settings, on pool: ConnectionPool) async throws -> String {
        let token = Token(prefix: "ses", keyID: identity.keyID, secret: Token.randomSecret())
        try await pool.tenantTransaction(identity.organization) { connection in
            // Sessions that can no longer be used are deleted here, one organisation at a time.
            try connection.query(
                """
                DELETE FROM core.sessions
                WHERE organization_id = $1
                  AND (expires_at <= now() OR revoked_at IS NOT NULL OR last_seen_at <= now() - $2 * interval '1 s')
                """,
                [identity.organization, settings.idle.seconds]
            )
            try connection.query(
                """
                INSERT INTO core.sessions (organization_id, session_hash, key_id, expires_at)
                VALUES ($1, sha256(convert_to($2, 'UTF8')), $3, now() + $4 * interval '1 s')
                """,
                [identity.organization, token.secret, identity.keyID, settings.lifetime.seconds]
            )
        }
        return token.text
    }

    /// The identity of a session that is still open, with its key's current scopes; its last-seen time moves
    /// on (at most once a minute).
    public static func verify(_ text: String, settings: Settings, on pool: ConnectionPool) async throws -> Result<Identity, KeyRefusal> {
        guard let token = Token(parsing: text, prefix: "ses") else { return .failure(.malformed) }
        enum Lookup: Sendable { case noKey, noSession, found(QueryResult.Row) }
        let lookup = try await pool.transaction { connection -> Lookup in
            guard let organization = try APIKeys.organization(ofKey: token.keyID, on: connection) else { return .noKey }
            try connection.actFor(organization)
            let row = try connection.query(
                """
                WITH matched AS (
                    SELECT s.organization_id, s.session_hash, s.last_seen_at, k.scopes, k.ambassador_id,
                           s.revoked_at IS NOT NULL OR k.revoked_at IS NOT NULL AS revoked,
                           s.expires_at <= now() OR s.last_seen_at <= now() - $3 * interval '1 s'
                               OR coalesce(k.expires_at <= now(), false) AS expired
                    FROM core.sessions AS s
                    JOIN core.api_keys AS k ON k.organization_id = s.organization_id AND k.key_id = s.key_id
                    WHERE s.organization_id = $4 AND s.key_id = $1 AND s.session_hash = sha256(convert_to($2, 'UTF8'))
                ),
                touched AS (
                    UPDATE core.sessions AS s SET last_seen_at = now()
                    FROM matched AS m
                    WHERE s.organization_id = m.organization_id AND s.session_hash = m.session_hash
                      AND NOT m.revoked AND NOT m.expired AND m.last_seen_at < now() - interval '1 minute'
                )
                SELECT organization_id, array_to_string(scopes, ',') AS scopes, ambassador_id::text, revoked, expired FROM matched
                """,
                [token.keyID, token.secret, settings.idle.seconds, organization]
            ).first
            return row.map { .found($0) } ?? .noSession
        }
        let found: QueryResult.Row
        switch lookup {
        case .noKey: return .failure(.unknown)
        case .noSession: return .failure(.wrongSecret)
        case .found(let row): found = row
        }
        if try found.decode(Bool.self, "revoked") { return .failure(.revoked) }
        if try found.decode(Bool.self, "expired") { return .failure(.expired) }
        let scopes = Set(try found.decode(String.self, "scopes").split(separator: ",").compactMap { Scope(rawValue: String($0)) })
        return .success(Identity(
            organization: try found.decode(UUID.self, "organization_id"), keyID: token.keyID, scopes: scopes,
            ambassadorID: try found.decode(String?.self, "ambassador_id")
        ))
    }

    /// Ends a session (sign-out). A token that names no session is ignored.
    public static func close(_ text: String, on pool: ConnectionPool) async throws {
        guard let token = Token(parsing: text, prefix: "ses") else { return }
        try await pool.transaction { connection in
            guard let organization = try APIKeys.organization(ofKey: token.keyID, on: connection) else { return }
            try connection.actFor(organization)
            try connection.query(
                """
                UPDATE core.sessions SET revoked_at = coalesce(revoked_at, now())
                WHERE organization_id = $1 AND key_id = $2 AND session_hash = sha256(convert_to($3, 'UTF8'))
                """,
                [organization, token.keyID, token.secret]
            )
        }
    }

    /// Ends every session of a key, inside the caller's transaction (revoking the key).
    static func revokeAll(organization: UUID, keyID: UUID, on connection: PostgresConnection) throws {
        try connection.query(
            "UPDATE core.sessions SET revoked_at = coalesce(revoked_at, now()) WHERE organization_id = $1 AND key_id = $2",
            [organization, keyID]
        )
    }
}

extension Duration {
    /// Whole seconds, for intervals bound as parameters.
    var seconds: Int64 { components.seconds }
}
