/// The words the service shares with its SQL, each list defined once. Every raw value is one the database
/// accepts (an enum type's label, a CHECK constraint's value, a `kpi` function's argument), which
/// `VocabularyTests` checks against the database itself.

/// A social network a post is published on (SQL: `core.network`).
public enum Network: String, Sendable, CaseIterable, Codable {
    case linkedin, x, facebook, instagram, xing, other
}

/// Where a lead or an application came from; `employee_advocacy` is the programme (SQL: `core.channel`).
public enum Channel: String, Sendable, CaseIterable, Codable {
    case employeeAdvocacy = "employee_advocacy"
    case paid, organic, email, event, referral, other
}

/// Where an application came from (SQL: `core.application_channel`): the sources applicant-tracking systems
/// export; `employee_advocacy` marks the applications ambassadors brought, as it does leads.
public enum ApplicationChannel: String, Sendable, CaseIterable, Codable {
    case employeeAdvocacy = "employee_advocacy"
    case jobBoard = "job_board"
    case agency
    case careersSite = "careers_site"
    case `internal`, referral, social, other
}

/// A lead's stage (SQL: `core.lead_stage`); a lead is won when its latest stage is `won`.
public enum LeadStage: String, Sendable, CaseIterable, Codable {
    case qualified, won, lost
}

/// An application's stage (SQL: `core.application_stage`); hired when its latest stage is `hired`.
public enum ApplicationStage: String, Sendable, CaseIterable, Codable {
    case screened, interviewed, offered, hired, rejected
}

/// What a programme cost is for (SQL: `core.cost_category`).
public enum CostCategory: String, Sendable, CaseIterable, Codable {
    case licence, rewards, time
}

/// The buckets of a time series: days, ISO weeks (from Monday) or months (SQL: `kpi.buckets`).
public enum Granularity: String, Sendable, CaseIterable, Codable {
    case day, week, month
}

/// How the ambassador leaderboard ranks (SQL: `kpi.ambassador_leaderboard`).
public enum AmbassadorRanking: String, Sendable, CaseIterable, Codable {
    case posts, engagement
}

/// How the content leaderboard ranks (SQL: `kpi.content_ranking`).
public enum ContentRanking: String, Sendable, CaseIterable, Codable {
    case shares
    case engagementRate = "engagement_rate"
}

/// What posting results can be broken down by, and the dashboard filters of the same names
/// (SQL: `kpi.post_breakdown`).
public enum BreakdownDimension: String, Sendable, CaseIterable, Codable {
    case team, department, region, network, campaign
}

/// A period named relative to today in the organisation's time zone (SQL: `kpi.named_period`).
public enum NamedPeriod: String, Sendable, CaseIterable, Codable {
    case last7Days = "last_7_days"
    case last30Days = "last_30_days"
    case thisMonth = "this_month"
    case lastMonth = "last_month"
    case thisQuarter = "this_quarter"
    case yearToDate = "year_to_date"

    /// How a period picker labels it.
    public var label: String {
        switch self {
        case .last7Days: "Last 7 days"
        case .last30Days: "Last 30 days"
        case .thisMonth: "This month"
        case .lastMonth: "Last month"
        case .thisQuarter: "This quarter"
        case .yearToDate: "Year to date"
        }
    }
}

/// The families the KPI catalog groups its KPIs in (SQL: `kpi.catalog.family`).
public enum KPIFamily: String, Sendable, CaseIterable, Codable {
    case programme, content, ambassadors, reach, ssi, traffic, emv, leads, candidates
}

extension CaseIterable where Self: RawRepresentable, RawValue == String {
    /// The raw values in declaration order, for messages and SQL arrays.
    public static var names: [String] { allCases.map(\.rawValue) }

    /// "a, b or c", for messages that say what is accepted.
    public static var listed: String {
        let names = Self.names
        guard names.count > 1, let last = names.last else { return names.joined() }
        return names.dropLast().joined(separator: ", ") + " or " + last
    }
}

/// A source system's identifier as the database's `core.external_id` holds it: 1 to 200 characters (Unicode
/// scalars), no control character, not only spaces.
public enum ExternalID {
    public static func isValid(_ text: String) -> Bool {
        (1...200).contains(text.unicodeScalars.count)
            && !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            && text.unicodeScalars.contains(where: { !$0.properties.isWhitespace })
    }
}
