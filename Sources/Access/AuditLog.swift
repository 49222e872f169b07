import Foundation
import Postgres

/// What admins did (the owner of `core.audit_log`): key creation and revocation, goals, erasures.
public enum AuditLog {
    /// One entry, as `GET /v1/audit` answers it.
    public struct Entry: Encodable, Sendable, Equatable {
        public let auditID: Int64
        public let at: Date
        /// NULL for the command line.
        public let actorKeyID: UUID?
        public let action: String
        public let target: String?
        public internal(set) var detail: [String: String]

        enum CodingKeys: String, CodingKey {
            case auditID = "audit_id", at, actorKeyID = "actor_key_id", action, target, detail
        }
    }

    /// Writes one entry; `detail` becomes a JSON object of strings.
    public static func record(
        organization: UUID, actor: UUID?, action: String, target: String?, detail: [String: String] = [:], on connection: PostgresConnection
    ) throws {
        let keys = detail.keys.sorted()
        try connection.query(
            """
            INSERT INTO core.audit_log (organization_id, actor_key_id, action, target, detail)
            VALUES ($1, $2, $3, $4, jsonb_object($5::text[], $6::text[]))
            """,
            [organization, actor, action, target, keys, keys.map { detail[$0] ?? "" }]
        )
    }

    /// The newest entries first, at most `limit`.
    public static func entries(organization: UUID, limit: Int = 500, on pool: ConnectionPool) async throws -> [Entry] {
        // One row per entry and detail key (one with NULLs for an entry without detail), folded below.
        let rows = try await pool.tenantQuery(
            organization,
            """
            SELECT a.audit_id, a.at, a.actor_key_id, a.action, a.target, d.key, d.value
            FROM (
                SELECT audit_id, at, actor_key_id, action, target, detail
                FROM core.audit_log
                WHERE organization_id = $1
                ORDER BY audit_id DESC
                LIMIT $2
            ) AS a
            LEFT JOIN LATERAL jsonb_each_text(a.detail) AS d ON true
            ORDER BY a.audit_id DESC, d.key
            """,
            [organization, limit]
        )
        var entries: [Entry] = []
        for row in rows {
            let auditID = try row.decode(Int64.self, "audit_id")
            if entries.last?.auditID != auditID {
                entries.append(
                    Entry(
                        auditID: auditID,
                        at: try row.decode(Date.self, "at"),
                        actorKeyID: try row.decode(UUID?.self, "actor_key_id"),
                        action: try row.decode(String.self, "action"),
                        target: try row.decode(String?.self, "target"),
                        detail: [:]
                    )
                )
            }
            if let key = try row.decode(String?.self, "key"), let value = try row.decode(String?.self, "value") {
                entries[entries.count - 1].detail[key] = value
            }
        }
        return entries
    }
}
