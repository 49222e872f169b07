import Foundation

/// What `seed-demo` creates: how many facts, from which seed, over which year.
public struct DemoPlan: Sendable {
    /// Roughly how many fact rows to create in all (posts, metric observations, touches, SSI snapshots,
    /// visits, leads, applications and their stage changes).
    public var facts: Int
    public var seed: UInt64
    /// The last day of the demo year (UTC); the data covers the 365 days before it.
    public var endDate: Date
    public var slug: String
    public var name: String

    public init(facts: Int = 300_000, seed: UInt64 = 2026, endDate: Date, slug: String = "demo", name: String = "Demo Corp") {
        self.facts = max(5_000, facts)
        self.seed = seed
        self.endDate = endDate
        self.slug = slug
        self.name = name
    }

    var ambassadors: Int { min(5_000, max(100, facts / 1_000)) }
    var contentItems: Int { min(3_000, max(40, facts / 2_000)) }
    var posts: Int { facts * 8 / 100 }
    // With about 4.8 observations a post and the stage changes, these shares add up to `facts`.
    var touches: Int { facts * 225 / 1000 }
    var visits: Int { facts * 225 / 1000 }
    var leads: Int { facts * 2 / 100 }
    var applications: Int { facts / 100 }

    /// An estimate of all rows, for the progress bar (observations and stage changes depend on draws).
    var estimatedRows: Int {
        ambassadors * 2 + contentItems + posts * 6 + touches + visits + ambassadors * 50
            + leads * 2 + applications * 2
    }

    /// Today's date at midnight UTC: the default end of the demo year.
    public static func today() -> Date {
        let now = Date().timeIntervalSince1970
        return Date(timeIntervalSince1970: (now / 86_400).rounded(.down) * 86_400)
    }
}

/// How many rows `seed-demo` wrote, per table.
public struct DemoSummary: Sendable, CustomStringConvertible {
    public var organizationID: UUID
    public var rows: [(table: String, count: Int)]

    public var totalFacts: Int { rows.filter { $0.table.hasPrefix("fact.") }.reduce(0) { $0 + $1.count } }

    public var description: String {
        rows.map { "\($0.table): \($0.count)" }.joined(separator: ", ")
    }
}
