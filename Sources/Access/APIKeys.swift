import Foundation
import Postgres
import Vocabulary

/// What a key may do. `admin` may do everything the others may.
public enum Scope: String, Sendable, CaseIterable, Codable {
    /// `ambassador`: one ambassador's own numbers (`GET /v1/me`); such a key is bound to that ambassador.
    case ingest, marketing, hr, admin, ambassador

    /// Every scope a key not bound to an ambassador may hold together.
    public static var organizationWide: Set<Scope> { Set(allCases).subtracting([.ambassador]) }
}

/// The organisation and scopes a valid key stands for.
public struct Identity: Sendable {
    public let organization: UUID
    public let keyID: UUID
    public let scopes: Set<Scope>
    /// The ambassador an `ambassador` key is bound to; nil for every other key.
    public let ambassadorID: String?

    public init(organization: UUID, keyID: UUID, scopes: Set<Scope>, ambassadorID: String? = nil) {
        self.organization = organization
        self.keyID = keyID
        self.scopes = scopes
        self.ambassadorID = ambassadorID
    }

    /// Whether the key has any of `scopes` (admin has them all).
    public func has(anyOf scopes: Set<Scope>) -> Bool {
        self.scopes.contains(.admin) || !self.scopes.isDisjoint(with: scopes)
    }
}

/// Why a key was refused (all give 401; the key's owner may learn which).
public enum KeyRefusal: Error, Sendable, Equatable {
    /// `unknown`: no key has the id; `wrongSecret`: one has, with another secret (the caller hears the same).
    case malformed, unknown, wrongSecret, revoked, expired

    public var message: String {
        switch self {
        case .malformed: "the key is not of the form adv_<id>_<secret>"
        case .unknown, .wrongSecret: "unknown API key"
        case .revoked: "this API key was revoked"
        case .expired: "this API key has expired"
        }
    }
}

/// Creating, verifying, listing and revoking API keys (the owner of `core.api_keys`). Keys are `adv_<32 hex id>_<43 base62 secret>`
/// (about 256 bits of secret); only the SHA-256 of the secret is stored. Revoking a key ends its dashboard sessions.
public enum APIKeys {
    public struct Created: Sendable {
        public let keyID: UUID
        /// The full key: shown once, never stored.
        public let key: String
    }

    /// What is wrong with binding `scopes` to `ambassador`, as (field, message); nil when the pair can be a key: an
    /// `ambassador` key has that scope alone and names its ambassador (1 to 200 characters), no other key names one.
    public static func bindingProblem(scopes: Set<Scope>, ambassador: String?) -> (field: String, message: String)? {
        guard scopes.contains(.ambassador) || ambassador != nil else { return nil }
        guard scopes == [.ambassador] else {
            return ("scopes", "an ambassador's key has the scope ambassador alone, with its ambassador_id")
        }
        guard let ambassador, ExternalID.isValid(ambassador) else {
            return ("ambassador_id", "an ambassador key needs the ambassador_id it reads (1 to 200 characters, no control character)")
        }
        return nil
    }

    /// - Parameter ambassador: the ambassador an `ambassador` key reads (required for that scope, refused otherwise
    ///   by the table's constraint).
    public static func create(
        organization: UUID, name: String, scopes: Set<Scope>, ambassador: String? = nil, expiresAt: Date?, actor: UUID?,
        on connection: PostgresConnection
    ) throws -> Created {
        let secret = Token.randomSecret()
        let keyID = try connection.query(
            """
            INSERT INTO core.api_keys (organization_id, name, scopes, ambassador_id, secret_hash, expires_at)
            VALUES ($1, $2, $3::text[], $4, sha256(convert_to($5, 'UTF8')), $6)
            RETURNING key_id
            """,
            [organization, name, scopes.map(\.rawValue).sorted(), ambassador, secret, expiresAt]
        )[0].decode(UUID.self, at: 0)
        var detail = ["name": name, "scopes": scopes.map(\.rawValue).sorted().joined(separator: ",")]
        if let ambassador { detail["ambassador_id"] = ambassador }
        try AuditLog.record(organization: organization, actor: actor, action: "key.created", target: keyID.uuidString.lowercased(),
                  detail: detail, on: connection)
        return Created(keyID: keyID, key: Token(prefix: "adv", keyID: keyID, secret: secret).text)
    }

    /// The key id part of a bearer token, without checking the secret (for rate limiting by key).
    public static func keyID(of token: String) -> UUID? {
        Token(parsing: token, prefix: "adv")?.keyID
    }

    public static func verify(_ token: String, on pool: ConnectionPool) async throws -> Result<Identity, KeyRefusal> {
        guard let token = Token(parsing: token, prefix: "adv") else { return .failure(.malformed) }
        let (keyID, secret) = (token.keyID, token.secret)
        // One lease: the key's organisation from the index (ids only, no secret), then the key itself under
        // that organisation's row-level security. last_used_at is written at most once a minute, not on
        // every request.
        let rows = try await pool.transaction { connection -> QueryResult? in
            guard let organization = try organization(ofKey: keyID, on: connection) else { return nil }
            try connection.actFor(organization)
            return try connection.query(
                """
                WITH matched AS (
                    SELECT key_id, organization_id, scopes, ambassador_id, revoked_at, expires_at, last_used_at
                    FROM core.api_keys
                    WHERE key_id = $1 AND secret_hash = sha256(convert_to($2, 'UTF8'))
                ),
                touched AS (
                    UPDATE core.api_keys AS k SET last_used_at = now()
                    FROM matched AS m
                    WHERE k.organization_id = m.organization_id AND k.key_id = m.key_id
                      AND (m.last_used_at IS NULL OR m.last_used_at < now() - interval '1 minute')
                )
                SELECT organization_id, array_to_string(scopes, ',') AS scopes, ambassador_id::text, revoked_at IS NOT NULL AS revoked,
                       expires_at IS NOT NULL AND expires_at <= now() AS expired
                FROM matched
                """,
                [keyID, secret]
            )
        }
        guard let rows else { return .failure(.unknown) }
        guard let row = rows.first else { return .failure(.wrongSecret) }
        if try row.decode(Bool.self, "revoked") { return .failure(.revoked) }
        if try row.decode(Bool.self, "expired") { return .failure(.expired) }
        let scopes = Set(try row.decode(String.self, "scopes").split(separator: ",").compactMap { Scope(rawValue: String($0)) })
        return .success(Identity(
            organization: try row.decode(UUID.self, "organization_id"), keyID: keyID, scopes: scopes,
            ambassadorID: try row.decode(String?.self, "ambassador_id")
        ))
    }

    /// The organisation of a key id, from the key index (ids only: read before any organisation is set), or nil.
    static func organization(ofKey keyID: UUID, on connection: PostgresConnection) throws -> UUID? {
        try connection.query("SELECT organization_id FROM core.api_key_index WHERE key_id = $1", [keyID], prepared: true)
            .first?.decode(UUID.self, at: 0)
    }

    /// A key as `GET /v1/keys` lists it: never its secret.
    public struct Summary: Encodable, Sendable {
        public let keyID: UUID
        public let name: String
        public let scopes: [String]
        /// The ambassador an `ambassador` key reads; nil for the others.
        public let ambassadorID: String?
        public let createdAt: Date
        public let expiresAt: Date?
        public let revokedAt: Date?
        public let lastUsedAt: Date?

        enum CodingKeys: String, CodingKey {
            case keyID = "key_id", name, scopes, ambassadorID = "ambassador_id", createdAt = "created_at", expiresAt = "expires_at"
            case revokedAt = "revoked_at", lastUsedAt = "last_used_at"
        }
    }

    /// Every key of the organisation, oldest first.
    public static func list(organization: UUID, on pool: ConnectionPool) async throws -> [Summary] {
        let rows = try await pool.tenantQuery(
            organization,
            """
            SELECT key_id, name, array_to_string(scopes, ',') AS scopes, ambassador_id::text, created_at, expires_at, revoked_at,
                   last_used_at
            FROM core.api_keys
            WHERE organization_id = $1
            ORDER BY created_at, key_id
            """,
            [organization]
        )
        return try rows.map { row in
            Summary(
                keyID: try row.decode(UUID.self, "key_id"),
                name: try row.decode(String.self, "name"),
                // Scopes are names from a closed list (a CHECK constraint): no comma in any.
                scopes: try row.decode(String.self, "scopes").split(separator: ",").map(String.init),
                ambassadorID: try row.decode(String?.self, "ambassador_id"),
                createdAt: try row.decode(Date.self, "created_at"),
                expiresAt: try row.decode(Date?.self, "expires_at"),
                revokedAt: try row.decode(Date?.self, "revoked_at"),
                lastUsedAt: try row.decode(Date?.self, "last_used_at")
            )
        }
    }

    /// Revokes a key (again is fine: the first revocation's time stays) and records it in the audit log.
    /// - Returns: false when the organisation has no such key.
    public static func revoke(organization: UUID, keyID: UUID, actor: UUID?, on pool: ConnectionPool) async throws -> Bool {
        try await pool.tenantTransaction(organization) { connection in
            let rows = try connection.query(
                """
                UPDATE core.api_keys SET revoked_at = coalesce(revoked_at, now())
                WHERE organization_id = $1 AND key_id = $2 RETURNING key_id
                """,
                [organization, keyID]
            )
            guard !rows.isEmpty else { return false }
            try Sessions.revokeAll(organization: organization, keyID: keyID, on: connection)
            try AuditLog.record(organization: organization, actor: actor, action: "key.revoked", target: keyID.uuidString.lowercased(),
                                on: connection)
            return true
        }
    }
}
