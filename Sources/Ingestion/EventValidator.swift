import Foundation
import Vocabulary

/// Turns one parsed item into a typed `Event`, or the precise reason it cannot be one.
///
/// Every rule the schema enforces is checked here first, so a batch's good items are stored and each bad
/// one gets a reason naming its field; the database's constraints stay as the last line of defence.
public struct EventValidator: Sendable {
    /// How far in the future a timestamp may be (clocks drift); later ones are refused.
    public var futureTolerance: TimeInterval
    /// The earliest time (midnight UTC of a day) a timestamp or date may fall on: earlier ones are a mistaken
    /// epoch or a backfill the rollups would rebuild day by day, and are refused.
    public let earliest: Date
    /// `earliest` as `YYYY-MM-DD`: dates compare with it as text (four-digit years keep text order calendar order).
    private let earliestDay: String

    /// 2000-01-01, midnight UTC.
    public static let defaultEarliest = Date(timeIntervalSince1970: 946_684_800)

    public init(futureTolerance: TimeInterval = 3600, earliest: Date = Self.defaultEarliest) {
        self.futureTolerance = futureTolerance
        self.earliest = earliest
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        self.earliestDay = formatter.string(from: earliest)
    }

    /// Midnight UTC of a `YYYY-MM-DD` date, nil when `text` is not a real date (for the earliest-date setting).
    public static func midnight(of text: String) -> Date? {
        Timestamps.isCalendarDate(text) ? Timestamps.parseRFC3339(text + "T00:00:00Z") : nil
    }

    /// Each type's `data` fields, looked up once per event.
    static let dataFields: [EventType: Set<String>] = Dictionary(
        uniqueKeysWithValues: EventType.allCases.map { ($0, Set($0.dataFields.required + $0.dataFields.optional)) }
    )
    static let networks = Network.names
    static let channels = Channel.names
    static let applicationChannels = ApplicationChannel.names
    static let leadStages = LeadStage.names
    static let applicationStages = ApplicationStage.names
    static let costCategories = CostCategory.names
    static let ssiPillar: ClosedRange<Decimal> = 0...25
    static let percent: ClosedRange<Decimal> = 0...100
    static let money: ClosedRange<Decimal> = 0...(Decimal(string: "9999999999999999.99") ?? 0)
    static let rate: ClosedRange<Decimal> = 0...(Decimal(string: "99999999.9999") ?? 0)

    /// The event id as sent, when the item is an object with a string `id` (for reporting a rejection).
    public static func peekID(_ value: JSONValue) -> String? {
        guard case .object(let members) = value, case .string(let id)? = members["id"] else { return nil }
        return id
    }

    public static func peekType(_ value: JSONValue) -> String? {
        guard case .object(let members) = value, case .string(let type)? = members["type"] else { return nil }
        return type
    }

    public func validate(_ value: JSONValue, now: Date = Date()) throws(Rejection) -> Event {
        guard case .object(let members) = value else {
            throw Rejection(.notAnObject, field: nil, "an event must be a JSON object, not \(value.typeName)")
        }
        var envelope = FieldReader(members, path: "")
        let id = try envelope.required("id") { reader, key throws(Rejection) in try reader.identifier(key) }
        let typeName = try envelope.required("type") { reader, key throws(Rejection) in try reader.rawString(key, maxLength: 64) }
        guard let type = EventType(rawValue: typeName) else {
            throw Rejection(
                .unknownType, field: "type",
                "unknown event type \"\(typeName)\"; known types: \(EventType.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        let occurredAt = try envelope.required("occurred_at") { reader, key throws(Rejection) in try reader.timestamp(key) }
        try checkTime(occurredAt, field: "occurred_at", now: now)
        let dataObject = try envelope.required("data") { reader, key throws(Rejection) in try reader.object(key) }
        try envelope.finish()

        if let allowed = Self.dataFields[type], let unknown = dataObject.members.lazy.map(\.key).filter({ !allowed.contains($0) }).min() {
            throw Rejection(.unknownField, field: "data.\(unknown)", "data.\(unknown) is not a field of \(type.rawValue)")
        }
        var data = FieldReader(dataObject, path: "data")
        let fact = try readFact(type, id: id, occurredAt: occurredAt, from: &data, now: now)
        try data.finish()
        return Event(id: id, type: type, occurredAt: occurredAt, fact: fact)
    }

    private func checkTime(_ date: Date, field: String, now: Date) throws(Rejection) {
        guard date.timeIntervalSince(now) <= futureTolerance else {
            throw Rejection(
                .futureTimestamp, field: field,
                "\(field) is in the future (more than \(Int(futureTolerance)) s ahead of the server's clock)"
            )
        }
        guard date >= earliest else {
            throw Rejection(
                .beforeEarliestDate, field: field,
                "\(field) is before \(earliestDay), the earliest date this service accepts (setting EARLIEST_DATE)"
            )
        }
    }

    /// `day` is `YYYY-MM-DD` (four-digit years), so text order is calendar order.
    private func checkDay(_ day: String, field: String) throws(Rejection) {
        guard day >= earliestDay else {
            throw Rejection(
                .beforeEarliestDate, field: field,
                "\(field) is before \(earliestDay), the earliest date this service accepts (setting EARLIEST_DATE)"
            )
        }
    }

    /// A `YYYY-MM-DD` field not before the earliest day.
    private func day(_ key: String, _ data: inout FieldReader) throws(Rejection) -> String {
        let day = try data.required(key) { r, k throws(Rejection) in try r.date(k) }
        try checkDay(day, field: data.field(key))
        return day
    }

    /// A timestamp field that defaults to the envelope's occurred_at.
    private func time(_ key: String, _ data: inout FieldReader, default occurredAt: Date, now: Date) throws(Rejection) -> Date {
        guard let date = try data.timestamp(key) else { return occurredAt }
        try checkTime(date, field: data.field(key), now: now)
        return date
    }

    private func readFact(_ type: EventType, id: String, occurredAt: Date, from data: inout FieldReader, now: Date)
        throws(Rejection) -> Fact
    {
        switch type {
        case .ambassadorEnrolled, .ambassadorUpdated, .ambassadorLeft:
            return .ambassador(try readAmbassador(type, occurredAt: occurredAt, from: &data, now: now))

        case .contentCreated:
            return .content(
                ContentFact(
                    contentID: try data.required("content_id") { r, k throws(Rejection) in try r.identifier(k) },
                    title: try data.required("title") { r, k throws(Rejection) in try r.string(k, maxLength: 500) },
                    url: try readURL("url", &data),
                    topic: try data.string("topic"),
                    campaign: try data.string("campaign"),
                    createdAt: try time("created_at", &data, default: occurredAt, now: now)
                )
            )

        case .postPublished:
            let trackedURL = try readURL("tracked_url", &data)
            var token: String?
            if let trackedURL, let landing = LandingURL(trackedURL), landing.isAdvocacy, let content = landing.content {
                guard TrackedLink.isValidToken(content) else {
                    throw Rejection(
                        .invalidValue, field: "data.tracked_url",
                        "the utm_content of data.tracked_url must be a token of 1 to 64 letters, digits, - or _"
                    )
                }
                token = content
            }
            return .post(
                PostFact(
                    postID: try data.required("post_id") { r, k throws(Rejection) in try r.identifier(k) },
                    ambassadorID: try data.required("ambassador_id") { r, k throws(Rejection) in try r.identifier(k) },
                    network: try data.required("network") { r, k throws(Rejection) in try r.oneOf(k, Self.networks) },
                    contentID: try data.identifier("content_id"),
                    postedAt: try time("posted_at", &data, default: occurredAt, now: now),
                    trackedURL: trackedURL,
                    utmToken: token
                )
            )

        case .postMetricsObserved:
            func count(_ key: String, _ data: inout FieldReader) throws(Rejection) -> Int64 {
                try data.required(key) { r, k throws(Rejection) in try r.counter(k) }
            }
            let impressions = try count("impressions", &data)
            let reached = try count("members_reached", &data)
            guard reached <= impressions else {
                throw Rejection(
                    .inconsistent, field: "data.members_reached",
                    "data.members_reached (\(reached)) cannot exceed data.impressions (\(impressions)): unique viewers are a subset"
                )
            }
            return .metrics(
                MetricsFact(
                    postID: try data.required("post_id") { r, k throws(Rejection) in try r.identifier(k) },
                    observedAt: try time("observed_at", &data, default: occurredAt, now: now),
                    impressions: impressions,
                    membersReached: reached,
                    reactions: try count("reactions", &data),
                    comments: try count("comments", &data),
                    reshares: try count("reshares", &data),
                    clicks: try count("clicks", &data),
                    saves: try data.counter("saves"),
                    sends: try data.counter("sends"),
                    followersGained: try data.counter("followers_gained")
                )
            )

        case .audienceTouched:
            let postID = try data.identifier("post_id")
            let ambassadorID = try data.identifier("ambassador_id")
            guard postID != nil || ambassadorID != nil else {
                throw Rejection(.missingField, field: "data.post_id", "data.post_id or data.ambassador_id is required")
            }
            return .touch(
                TouchFact(
                    member: try data.required("member") { r, k throws(Rejection) in try r.string(k, maxLength: 500) },
                    postID: postID,
                    ambassadorID: ambassadorID,
                    touchedAt: try time("touched_at", &data, default: occurredAt, now: now)
                )
            )

        case .ssiSnapshot:
            return .ssi(try readSSI(&data, now: now))

        case .webVisit:
            guard let landing = try readLanding("landing_url", &data) else {
                throw Rejection(.missingField, field: "data.landing_url", "data.landing_url is required")
            }
            return .visit(
                VisitFact(
                    visitID: try data.identifier("visit_id") ?? id,
                    visitor: try data.required("visitor") { r, k throws(Rejection) in try r.string(k, maxLength: 500) },
                    landing: landing
                )
            )

        case .leadCreated:
            let channel = try data.required("source_channel") { r, k throws(Rejection) in try r.oneOf(k, Self.channels) }
            let ambassadorID = try data.identifier("ambassador_id")
            let postID = try data.identifier("post_id")
            if channel != Channel.employeeAdvocacy.rawValue, ambassadorID != nil || postID != nil {
                throw Rejection(
                    .inconsistent, field: "data.ambassador_id",
                    "only an employee_advocacy lead names an ambassador or a post (this one is \(channel))"
                )
            }
            let value = try data.decimal("estimated_value", scale: 2, range: Self.money)
            let currency = try data.currency("currency")
            if value != nil, currency == nil {
                throw Rejection(.missingField, field: "data.currency", "data.currency is required with data.estimated_value")
            }
            return .lead(
                LeadFact(
                    leadID: try data.required("lead_id") { r, k throws(Rejection) in try r.identifier(k) },
                    createdAt: try time("created_at", &data, default: occurredAt, now: now),
                    channel: channel, ambassadorID: ambassadorID, postID: postID, estimatedValue: value, currency: currency
                )
            )

        case .leadStageChanged:
            let stage = try data.required("stage") { r, k throws(Rejection) in try r.oneOf(k, Self.leadStages) }
            let amount = try data.decimal("won_amount", scale: 2, range: Self.money)
            let currency = try data.currency("currency")
            if amount != nil, stage != "won" {
                throw Rejection(.inconsistent, field: "data.won_amount", "data.won_amount belongs to the won stage only")
            }
            if amount != nil, currency == nil {
                throw Rejection(.missingField, field: "data.currency", "data.currency is required with data.won_amount")
            }
            return .leadStage(
                LeadStageFact(
                    leadID: try data.required("lead_id") { r, k throws(Rejection) in try r.identifier(k) },
                    stage: stage,
                    changedAt: try time("changed_at", &data, default: occurredAt, now: now),
                    wonAmount: amount, currency: currency
                )
            )

        case .applicationCreated:
            let channel = try data.required("source_channel") { r, k throws(Rejection) in try r.oneOf(k, Self.applicationChannels) }
            let ambassadorID = try data.identifier("ambassador_id")
            if channel != ApplicationChannel.employeeAdvocacy.rawValue, ambassadorID != nil {
                throw Rejection(
                    .inconsistent, field: "data.ambassador_id",
                    "only an employee_advocacy application names an ambassador (this one is \(channel))"
                )
            }
            return .application(
                ApplicationFact(
                    applicationID: try data.required("application_id") { r, k throws(Rejection) in try r.identifier(k) },
                    jobID: try data.required("job_id") { r, k throws(Rejection) in try r.identifier(k) },
                    appliedAt: try time("applied_at", &data, default: occurredAt, now: now),
                    channel: channel, ambassadorID: ambassadorID,
                    candidateRef: try data.identifier("candidate_ref")
                )
            )

        case .applicationStageChanged:
            return .applicationStage(
                ApplicationStageFact(
                    applicationID: try data.required("application_id") { r, k throws(Rejection) in try r.identifier(k) },
                    stage: try data.required("stage") { r, k throws(Rejection) in try r.oneOf(k, Self.applicationStages) },
                    changedAt: try time("changed_at", &data, default: occurredAt, now: now)
                )
            )

        case .costRecorded:
            let start = try day("period_start", &data)
            let end = try day("period_end", &data)
            guard end >= start else {
                throw Rejection(.inconsistent, field: "data.period_end", "data.period_end (\(end)) is before data.period_start (\(start))")
            }
            return .cost(
                CostFact(
                    costID: try data.required("cost_id") { r, k throws(Rejection) in try r.identifier(k) },
                    periodStart: start, periodEnd: end,
                    category: try data.required("category") { r, k throws(Rejection) in try r.oneOf(k, Self.costCategories) },
                    amount: try data.required("amount") { r, k throws(Rejection) in try r.decimal(k, scale: 2, range: Self.money) },
                    currency: try data.required("currency") { r, k throws(Rejection) in try r.currency(k) },
                    note: try data.string("note", maxLength: 1000)
                )
            )

        case .rateCardSet:
            func rate(_ key: String, _ data: inout FieldReader) throws(Rejection) -> String {
                try data.required(key) { r, k throws(Rejection) in try r.decimal(k, scale: 4, range: Self.rate) }
            }
            return .rateCard(
                RateCardFact(
                    network: try data.required("network") { r, k throws(Rejection) in try r.oneOf(k, Self.networks) },
                    currency: try data.required("currency") { r, k throws(Rejection) in try r.currency(k) },
                    effectiveFrom: try day("effective_from", &data),
                    cpm: try rate("cpm", &data), cpc: try rate("cpc", &data),
                    costPerReaction: try rate("cost_per_reaction", &data),
                    costPerComment: try rate("cost_per_comment", &data),
                    costPerReshare: try rate("cost_per_reshare", &data)
                )
            )
        }
    }

    private func readURL(_ key: String, _ data: inout FieldReader) throws(Rejection) -> String? {
        try readLanding(key, &data)?.url
    }

    /// An absolute http(s) URL, parsed once (its UTM parameters are what a visit is attributed by).
    private func readLanding(_ key: String, _ data: inout FieldReader) throws(Rejection) -> LandingURL? {
        guard let url = try data.url(key) else { return nil }
        guard let landing = LandingURL(url) else {
            throw Rejection(.invalidValue, field: data.field(key), "\(data.field(key)) must be an absolute http(s) URL")
        }
        return landing
    }

    private func readAmbassador(_ type: EventType, occurredAt: Date, from data: inout FieldReader, now: Date)
        throws(Rejection) -> AmbassadorFact
    {
        let ambassadorID = try data.required("ambassador_id") { r, k throws(Rejection) in try r.identifier(k) }
        let kind: AmbassadorFact.Kind
        var effectiveAt: Date?
        switch type {
        case .ambassadorEnrolled:
            kind = .enrolled
            effectiveAt = try time("enrolled_at", &data, default: occurredAt, now: now)
        case .ambassadorLeft:
            kind = .left
            effectiveAt = try time("left_at", &data, default: occurredAt, now: now)
        default:
            kind = .updated
        }
        // Only the attributes present are recorded: null clears one, a missing key leaves it as it was.
        var attributes = JSONObject()
        if kind != .left {
            for key in ["display_name", "team", "department", "region"] where data.has(key) {
                attributes[key] = try data.string(key).map(JSONValue.string) ?? .null
            }
            if let networks = try data.object("networks") {
                var reader = FieldReader(networks, path: "data.networks")
                for network in Self.networks where networks[network] != nil {
                    attributes["networks.\(network)"] = try reader.counter(network).map { .number(String($0)) } ?? .null
                }
                try reader.finish()
            }
        }
        if kind == .updated, attributes.isEmpty {
            throw Rejection(.missingField, field: "data", "ambassador.updated needs at least one attribute to change")
        }
        return AmbassadorFact(kind: kind, ambassadorID: ambassadorID, effectiveAt: effectiveAt, attributesJSON: JSONWriter.write(.object(attributes)))
    }

    private func readSSI(_ data: inout FieldReader, now: Date) throws(Rejection) -> SSIFact {
        func pillar(_ key: String, _ data: inout FieldReader) throws(Rejection) -> String {
            try data.required(key) { r, k throws(Rejection) in try r.decimal(k, scale: 2, range: Self.ssiPillar) }
        }
        let ambassadorID = try data.required("ambassador_id") { r, k throws(Rejection) in try r.identifier(k) }
        let date = try day("date", &data)
        let pillars = [
            try pillar("brand", &data), try pillar("people", &data), try pillar("insights", &data),
            try pillar("relationships", &data),
        ]
        let sum = pillars.compactMap { Decimal(string: $0) }.reduce(0, +)
        var total = "\(sum)"
        if let given = try data.decimal("total", scale: 2, range: Self.percent), let givenValue = Decimal(string: given) {
            let difference = givenValue - sum
            guard difference <= 0.01, difference >= -0.01 else {
                throw Rejection(
                    .inconsistent, field: "data.total",
                    "data.total (\(given)) is not the sum of the four pillars (\(sum)) within 0.01"
                )
            }
            total = given
        }
        let industryRank = try data.decimal("industry_rank_top_pct", scale: 2, range: 0.01...100)
        let networkRank = try data.decimal("network_rank_top_pct", scale: 2, range: 0.01...100)
        return SSIFact(
            ambassadorID: ambassadorID, date: date,
            brand: pillars[0], people: pillars[1], insights: pillars[2], relationships: pillars[3], total: total,
            industryRank: industryRank, networkRank: networkRank,
            industryAverage: try data.decimal("industry_average", scale: 2, range: Self.percent),
            networkAverage: try data.decimal("network_average", scale: 2, range: Self.percent)
        )
    }
}
