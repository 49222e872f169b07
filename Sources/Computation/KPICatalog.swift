import Postgres

/// The KPI definitions of `kpi.catalog`: what each number means, in words, with its unit and facts.
public struct KPICatalog: Sendable {
    public struct Entry: Sendable, Encodable {
        public let key: String
        public let family: String
        public let name: String
        public let unit: String
        public let formula: String
        public internal(set) var facts: [String]
    }

    public let entries: [Entry]

    public static func load(pool: ConnectionPool) async throws -> KPICatalog {
        // One row per KPI and fact, in the catalog's order: the facts arrive as values, not as an array's text.
        let rows = try await pool.query(
            """
            SELECT c.key, c.family, c.name, c.unit, c.formula, f.fact
            FROM kpi.catalog AS c
            LEFT JOIN LATERAL unnest(c.facts) WITH ORDINALITY AS f (fact, position) ON true
            ORDER BY c.ordinal, f.position
            """
        )
        var entries: [Entry] = []
        for row in rows {
            let key = try row.decode(String.self, "key")
            if entries.last?.key != key {
                entries.append(
                    Entry(
                        key: key, family: try row.decode(String.self, "family"), name: try row.decode(String.self, "name"),
                        unit: try row.decode(String.self, "unit"), formula: try row.decode(String.self, "formula"), facts: []
                    )
                )
            }
            if let fact = try row.decode(String?.self, "fact") { entries[entries.count - 1].facts.append(fact) }
        }
        return KPICatalog(entries: entries)
    }

    public func csv() -> String {
        CSVText.table(
            header: ["key", "family", "name", "unit", "formula", "facts"],
            rows: entries.map { [$0.key, $0.family, $0.name, $0.unit, $0.formula, $0.facts.joined(separator: " ")] }
        )
    }
}
