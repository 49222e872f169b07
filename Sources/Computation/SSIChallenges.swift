import Foundation
import Postgres

/// SSI challenges (the owner of `core.ssi_challenges`): a period, the teams taking part, and a target gain or
/// target score; their standings come from the snapshots (`kpi.ssi_challenge_standings`, `kpi.ssi_challenge_teams`).
/// Also the month-by-month sheet of every ambassador's SSI (`kpi.ssi_monthly`).
public enum SSIChallenges {
    /// SSI targets (of goals and challenges) are stored with two decimals: a smaller one would round to nothing.
    public static let smallestTarget = Decimal(string: "0.01") ?? 0

    /// A challenge as an admin describes it; exactly one target.
    public struct New: Sendable, Decodable {
        public let name: String
        /// Current teams taking part; nil or absent: everyone.
        public let teams: [String]?
        public let startsOn: String
        public let endsOn: String
        public let targetGain: Decimal?
        public let targetScore: Decimal?

        enum CodingKeys: String, CodingKey {
            case name, teams, startsOn = "starts_on", endsOn = "ends_on", targetGain = "target_gain", targetScore = "target_score"
        }

        public init(name: String, teams: [String]?, startsOn: String, endsOn: String, targetGain: Decimal?, targetScore: Decimal?) {
            self.name = name
            self.teams = teams
            self.startsOn = startsOn
            self.endsOn = endsOn
            self.targetGain = targetGain
            self.targetScore = targetScore
        }

        /// The first thing wrong with it, as (field, message, and whether each field is well formed but they
        /// disagree); nil when it can be saved.
        public var problem: (field: String, message: String, inconsistent: Bool)? {
            if !(1...200).contains(name.unicodeScalars.count) || name.unicodeScalars.contains("\0") {
                return ("name", "name must be 1 to 200 characters, without NUL", false)
            }
            if let teams, teams.isEmpty || teams.count > 100 || teams.contains(where: { $0.isEmpty || $0.unicodeScalars.count > 200 || $0.unicodeScalars.contains("\0") }) {
                return ("teams", "teams must list 1 to 100 team names of 1 to 200 characters without NUL (or be left out for everyone)", false)
            }
            guard let start = Period.dayNumber(startsOn) else { return ("starts_on", "starts_on must be a date like 2026-12-01", false) }
            guard let end = Period.dayNumber(endsOn) else { return ("ends_on", "ends_on must be a date like 2026-12-24", false) }
            if end < start { return ("ends_on", "ends_on (\(endsOn)) is before starts_on (\(startsOn))", true) }
            switch (targetGain, targetScore) {
            case (nil, nil), (.some, .some):
                return ("target_gain", "give exactly one of target_gain (points to gain) and target_score (a score to reach)", false)
            case (let gain?, nil) where gain < SSIChallenges.smallestTarget || gain > 100:
                return ("target_gain", "target_gain must be from 0.01 to 100 points", false)
            case (nil, let score?) where score < SSIChallenges.smallestTarget || score > 100:
                return ("target_score", "target_score must be from 0.01 to 100", false)
            default:
                return nil
            }
        }
    }

    public struct Challenge: Sendable, Encodable, Equatable {
        public let challengeID: UUID
        public let name: String
        public let teams: [String]?
        public let startsOn: String
        public let endsOn: String
        public let targetGain: Decimal?
        public let targetScore: Decimal?

        enum CodingKeys: String, CodingKey {
            case challengeID = "challenge_id", name, teams, startsOn = "starts_on", endsOn = "ends_on", targetGain = "target_gain",
                 targetScore = "target_score"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(challengeID, forKey: .challengeID)
            try container.encode(name, forKey: .name)
            try container.encode(teams, forKey: .teams)
            try container.encode(startsOn, forKey: .startsOn)
            try container.encode(endsOn, forKey: .endsOn)
            try container.encode(targetGain, forKey: .targetGain)
            try container.encode(targetScore, forKey: .targetScore)
        }
    }

    /// A challenge's standings as of a day: every ambassador taking part, the teams' averages, and how many reached
    /// the target.
    public struct Standings: Sendable, Encodable {
        public let challenge: Challenge
        /// The day the scores are read at: the day asked, or the challenge's end when it is over.
        public let asOf: String
        public let participants: Int
        public let reached: Int
        public let standings: [Record]
        public let teams: [Record]

        enum CodingKeys: String, CodingKey {
            case challenge, asOf = "as_of", participants, reached, standings, teams
        }
    }

    static let columns = "challenge_id, name, to_json(teams)::text, starts_on::text, ends_on::text, target_gain, target_score"

    static func challenge(_ row: QueryResult.Row) throws -> Challenge {
        Challenge(
            challengeID: try row.decode(UUID.self, at: 0), name: try row.decode(String.self, at: 1),
            teams: try row.decode(String?.self, at: 2).map { try JSONDecoder().decode([String].self, from: Data($0.utf8)) },
            startsOn: try row.decode(String.self, at: 3), endsOn: try row.decode(String.self, at: 4),
            targetGain: try row.decode(Decimal?.self, at: 5), targetScore: try row.decode(Decimal?.self, at: 6)
        )
    }

    /// Saves a challenge that has no `problem`, in the caller's transaction (with its audit entry).
    public static func create(_ new: New, organization: UUID, on connection: PostgresConnection) throws -> Challenge {
        try challenge(
            connection.query(
                """
                INSERT INTO core.ssi_challenges (organization_id, name, teams, starts_on, ends_on, target_gain, target_score)
                VALUES ($1, $2, $3::text[], $4::date, $5::date, $6::numeric, $7::numeric)
                RETURNING \(columns)
                """,
                [organization, new.name, new.teams, new.startsOn, new.endsOn, new.targetGain, new.targetScore]
            )[0]
        )
    }

    /// Every challenge, the latest ending first.
    public static func list(organization: UUID, pool: ConnectionPool) async throws -> [Challenge] {
        try await pool.tenantQuery(
            organization, "SELECT \(columns) FROM core.ssi_challenges WHERE organization_id = $1 ORDER BY ends_on DESC, name", [organization]
        ).map(challenge)
    }

    /// The challenges under way at `date` or ended in the month before it: what the SSI page shows.
    public static func current(organization: UUID, date: String, pool: ConnectionPool) async throws -> [Challenge] {
        try await pool.tenantQuery(
            organization,
            """
            SELECT \(columns) FROM core.ssi_challenges
            WHERE organization_id = $1 AND starts_on <= $2::date AND ends_on >= ($2::date - interval '1 month')::date
            ORDER BY ends_on, name
            """,
            [organization, date]
        ).map(challenge)
    }

    /// The standings as of `date` (clipped to the challenge's end); nil when there is no such challenge.
    public static func standings(organization: UUID, challengeID: UUID, date: String, pool: ConnectionPool) async throws -> Standings? {
        guard let found = try await pool.tenantQuery(
            organization, "SELECT \(columns) FROM core.ssi_challenges WHERE organization_id = $1 AND challenge_id = $2",
            [organization, challengeID]
        ).first.map(challenge) else { return nil }
        return try await standings(of: found, organization: organization, date: date, pool: pool)
    }

    /// The standings of a challenge already read, as of `date` (clipped to its end).
    public static func standings(of challenge: Challenge, organization: UUID, date: String, pool: ConnectionPool) async throws -> Standings {
        let asOf = min(date, challenge.endsOn)
        let parameters: [(any PostgresEncodable)?] = [organization, challenge.challengeID, asOf]
        async let standings = pool.tenantQuery(organization, "SELECT * FROM kpi.ssi_challenge_standings($1, $2, $3::date)", parameters)
        async let teams = pool.tenantQuery(organization, "SELECT * FROM kpi.ssi_challenge_teams($1, $2, $3::date)", parameters)
        let rows = try Record.rows(of: try await standings)
        return Standings(
            challenge: challenge, asOf: asOf, participants: rows.count, reached: rows.filter { $0["reached"]?.bool == true }.count,
            standings: rows, teams: try Record.rows(of: try await teams)
        )
    }

    /// Each ambassador's SSI month by month over [from, to] (`kpi.ssi_monthly`).
    public static func monthly(organization: UUID, period: Period, team: String?, pool: ConnectionPool) async throws -> [Record] {
        try Record.rows(of: try await pool.tenantQuery(
            organization, "SELECT * FROM kpi.ssi_monthly($1, $2::date, $3::date, $4)", [organization, period.from, period.to, team]
        ))
    }

    /// The same as seed 000's sheet: a row per ambassador, a column per month (its latest score that month; empty
    /// without a snapshot that month), and the change from the first month with a score to the last.
    public static func monthlyCSV(organization: UUID, period: Period, team: String?, pool: ConnectionPool) async throws -> String {
        let rows = try await monthly(organization: organization, period: period, team: team, pool: pool)
        let months = Array(Set(rows.compactMap { $0["month"]?.string })).sorted()
        var scores: [String: (team: String, byMonth: [String: String])] = [:]
        for row in rows {
            guard let ambassador = row["ambassador_id"]?.string, let month = row["month"]?.string, let score = row["total_score"]?.string
            else { continue }
            scores[ambassador, default: (row["team"]?.string ?? "", [:])].byMonth[month] = score
        }
        return CSVText.table(
            header: ["ambassador_id", "team"] + months.map { String($0.prefix(7)) } + ["change"],
            rows: scores.keys.sorted().map { ambassador in
                let (team, byMonth) = scores[ambassador] ?? ("", [:])
                let present = months.compactMap { byMonth[$0].flatMap { Decimal(string: $0) } }
                let change = present.count > 1 ? present.last.map { "\($0 - present[0])" } ?? "" : ""
                return [ambassador, team] + months.map { byMonth[$0] ?? "" } + [change]
            }
        )
    }
}
