import Foundation
import Postgres

/// Erasing a person (GDPR) through the `core.erase_*` functions, which replace the person's identifiers
/// everywhere so that every aggregate stays exactly what it was. The audit log records that an erasure
/// happened and how many rows changed, never whom it erased.
public enum Erasure {
    public enum Kind: String, Sendable, CaseIterable {
        /// By ambassador id.
        case ambassador
        /// By one of the candidate's application ids.
        case candidate
        /// An audience member or a web visitor, by the identifier the sources send.
        case person

        var function: String {
            switch self {
            case .ambassador: "core.erase_ambassador"
            case .candidate: "core.erase_candidate"
            case .person: "core.erase_person_hash"
            }
        }
    }

    /// - Returns: how many rows changed.
    public static func erase(_ kind: Kind, _ identifier: String, organization: UUID, actor: UUID?, on pool: ConnectionPool) async throws -> Int {
        try await pool.tenantTransaction(organization) { connection in
            let rows = try connection.query("SELECT \(kind.function)($1, $2)", [organization, identifier])[0].decode(Int.self, at: 0)
            try AuditLog.record(organization: organization, actor: actor, action: "erasure.\(kind.rawValue)", target: nil,
                                detail: ["rows": String(rows)], on: connection)
            return rows
        }
    }
}
