import Postgres

/// The KPI definitions of `kpi.catalog`: what each number means, in words, with its unit and facts.
public struct KPICatalog: Sendable {
    public struct Entry: Sendable, Encodable {
        public let key: String
        public let family: String
        public let name: String
        public let unit: String
        public let formula: String
        public let facts: [String]
    }

    public let entries: [Entry]

    public static func load(pool: ConnectionPool) async throws -> KPICatalog {
        let rows = try await pool.query(
            "SELECT key, family, name, unit, formula, array_to_json(facts)::text AS facts FROM kpi.catalog ORDER BY ordinal"
        )
        return KPICatalog(entries: try rows.map { row in
            let facts = try row.decode(String.self, "facts")
            return Entry(
                key: try row.decode(String.self, "key"), family: try row.decode(String.self, "family"),
                name: try row.decode(String.self, "name"), unit: try row.decode(String.self, "unit"),
                formula: try row.decode(String.self, "formula"),
                facts: facts.dropFirst().dropLast().split(separator: ",").map { String($0.dropFirst().dropLast()) }
            )
        })
    }

    public func csv() -> String {
        CSVText.table(
            header: ["key", "family", "name", "unit", "formula", "facts"],
            rows: entries.map { [$0.key, $0.family, $0.name, $0.unit, $0.formula, $0.facts.joined(separator: " ")] }
        )
    }
}
