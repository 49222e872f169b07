import Foundation
import Postgres

/// Applies accepted events to the fact tables through the `ingest.upsert_*` and `ingest.insert_*` functions
/// (`SQL/definitions/functions/ingest`): one statement per fact type, each taking the batch as arrays.
struct FactWriter {
    /// An event's id and time with its fact: what the columns of its type read.
    struct Row<Fact> {
        let id: String
        let occurredAt: Date
        let fact: Fact

        init(_ event: Event, _ fact: Fact) {
            (id, occurredAt, self.fact) = (event.id, event.occurredAt, fact)
        }
    }

    let connection: PostgresConnection
    let organization: UUID

    func write(_ events: [Event]) throws {
        guard !events.isEmpty else { return }
        var ambassadors: [Row<AmbassadorFact>] = []
        var contents: [Row<ContentFact>] = []
        var posts: [Row<PostFact>] = []
        var metrics: [Row<MetricsFact>] = []
        var touches: [Row<TouchFact>] = []
        var snapshots: [Row<SSIFact>] = []
        var visits: [Row<VisitFact>] = []
        var leads: [Row<LeadFact>] = []
        var leadStages: [Row<LeadStageFact>] = []
        var applications: [Row<ApplicationFact>] = []
        var applicationStages: [Row<ApplicationStageFact>] = []
        var costs: [Row<CostFact>] = []
        var rateCards: [Row<RateCardFact>] = []
        for event in events {
            switch event.fact {
            case .ambassador(let fact): ambassadors.append(Row(event, fact))
            case .content(let fact): contents.append(Row(event, fact))
            case .post(let fact): posts.append(Row(event, fact))
            case .metrics(let fact): metrics.append(Row(event, fact))
            case .touch(let fact): touches.append(Row(event, fact))
            case .ssi(let fact): snapshots.append(Row(event, fact))
            case .visit(let fact): visits.append(Row(event, fact))
            case .lead(let fact): leads.append(Row(event, fact))
            case .leadStage(let fact): leadStages.append(Row(event, fact))
            case .application(let fact): applications.append(Row(event, fact))
            case .applicationStage(let fact): applicationStages.append(Row(event, fact))
            case .cost(let fact): costs.append(Row(event, fact))
            case .rateCard(let fact): rateCards.append(Row(event, fact))
            }
        }
        try call("ingest.upsert_content_items", contents, [
            .text { $0.id }, .timestamp { $0.occurredAt }, .text { $0.fact.contentID }, .text { $0.fact.title }, .text { $0.fact.url },
            .text { $0.fact.topic }, .text { $0.fact.campaign }, .timestamp { $0.fact.createdAt },
        ])
        try call("ingest.upsert_posts", posts, [
            .text { $0.id }, .timestamp { $0.occurredAt }, .text { $0.fact.postID }, .text { $0.fact.ambassadorID },
            .text { $0.fact.network }, .text { $0.fact.contentID }, .timestamp { $0.fact.postedAt }, .text { $0.fact.trackedURL },
            .text { $0.fact.utmToken },
        ])
        try call("ingest.upsert_post_metrics", metrics, [
            .text { $0.id }, .timestamp { $0.occurredAt }, .text { $0.fact.postID }, .timestamp { $0.fact.observedAt },
            .bigint { $0.fact.impressions }, .bigint { $0.fact.membersReached }, .bigint { $0.fact.reactions },
            .bigint { $0.fact.comments },
            .bigint { $0.fact.reshares }, .bigint { $0.fact.clicks }, .bigint { $0.fact.saves }, .bigint { $0.fact.sends },
            .bigint { $0.fact.followersGained },
        ])
        try call("ingest.insert_audience_touches", touches, [
            .text { $0.id }, .text { $0.fact.member }, .text { $0.fact.postID }, .text { $0.fact.ambassadorID },
            .timestamp { $0.fact.touchedAt },
        ])
        try call("ingest.upsert_ssi_snapshots", snapshots, [
            .text { $0.id }, .timestamp { $0.occurredAt }, .text { $0.fact.ambassadorID }, .date { $0.fact.date },
            .numeric { $0.fact.brand }, .numeric { $0.fact.people }, .numeric { $0.fact.insights }, .numeric { $0.fact.relationships },
            .numeric { $0.fact.total }, .numeric { $0.fact.industryRank }, .numeric { $0.fact.networkRank },
            .numeric { $0.fact.industryAverage }, .numeric { $0.fact.networkAverage },
        ])
        try call("ingest.upsert_web_visits", visits, [
            .text { $0.id }, .timestamp { $0.occurredAt }, .text { $0.fact.visitID }, .text { $0.fact.visitor },
            .text { $0.fact.landing.url }, .text { $0.fact.landing.host }, .text { $0.fact.landing.path }, .text { $0.fact.landing.source },
            .text { $0.fact.landing.medium }, .text { $0.fact.landing.campaign }, .text { $0.fact.landing.content },
            .text { $0.fact.landing.term }, .boolean { $0.fact.landing.isAdvocacy },
        ])
        try call("ingest.upsert_leads", leads, [
            .text { $0.id }, .timestamp { $0.occurredAt }, .text { $0.fact.leadID }, .timestamp { $0.fact.createdAt },
            .text { $0.fact.channel }, .text { $0.fact.ambassadorID }, .text { $0.fact.postID }, .numeric { $0.fact.estimatedValue },
            .text { $0.fact.currency },
        ])
        try call("ingest.insert_lead_stage_changes", leadStages, [
            .text { $0.id }, .text { $0.fact.leadID }, .text { $0.fact.stage }, .timestamp { $0.fact.changedAt },
            .numeric { $0.fact.wonAmount }, .text { $0.fact.currency },
        ])
        try call("ingest.upsert_applications", applications, [
            .text { $0.id }, .timestamp { $0.occurredAt }, .text { $0.fact.applicationID }, .text { $0.fact.jobID },
            .timestamp { $0.fact.appliedAt }, .text { $0.fact.channel }, .text { $0.fact.ambassadorID }, .text { $0.fact.candidateRef },
        ])
        try call("ingest.insert_application_stage_changes", applicationStages, [
            .text { $0.id }, .text { $0.fact.applicationID }, .text { $0.fact.stage }, .timestamp { $0.fact.changedAt },
        ])
        try call("ingest.upsert_programme_costs", costs, [
            .text { $0.id }, .timestamp { $0.occurredAt }, .text { $0.fact.costID }, .date { $0.fact.periodStart },
            .date { $0.fact.periodEnd }, .text { $0.fact.category }, .numeric { $0.fact.amount }, .text { $0.fact.currency },
            .text { $0.fact.note },
        ])
        try call("ingest.upsert_rate_cards", rateCards, [
            .text { $0.id }, .timestamp { $0.occurredAt }, .text { $0.fact.network }, .text { $0.fact.currency },
            .date { $0.fact.effectiveFrom }, .numeric { $0.fact.cpm }, .numeric { $0.fact.cpc }, .numeric { $0.fact.costPerReaction },
            .numeric { $0.fact.costPerComment }, .numeric { $0.fact.costPerReshare },
        ])
        try writeAmbassadors(ambassadors)
    }

    /// One column of a batch: its SQL type, and how its rows become the array bound for it.
    struct Column<Fact> {
        let sqlType: String
        let array: (UnsafeBufferPointer<Row<Fact>>) -> any PostgresEncodable

        static func text(_ value: @escaping (Row<Fact>) -> String?) -> Column { binary("text", value) }
        static func timestamp(_ value: @escaping (Row<Fact>) -> Date?) -> Column { binary("timestamptz", value) }
        static func bigint(_ value: @escaping (Row<Fact>) -> Int64?) -> Column { binary("bigint", value) }
        static func boolean(_ value: @escaping (Row<Fact>) -> Bool?) -> Column { binary("boolean", value) }
        /// Validated decimal text (`EventValidator`), exact all the way to `numeric`.
        static func numeric(_ value: @escaping (Row<Fact>) -> String?) -> Column { literal("numeric", value) }
        static func date(_ value: @escaping (Row<Fact>) -> String?) -> Column { literal("date", value) }

        /// In binary: nothing to quote here, nothing to parse in the server.
        private static func binary<Value: PostgresBinaryElement>(_ sqlType: String, _ value: @escaping (Row<Fact>) -> Value?) -> Column {
            Column(sqlType: sqlType) { rows in
                var array = PostgresBinaryArray<Value>(capacity: rows.count * 24)
                for index in rows.indices { array.append(value(rows[index])) }
                return array
            }
        }

        /// As text, for the types of the rarer facts whose binary form is not written here (numeric, date).
        private static func literal(_ sqlType: String, _ value: @escaping (Row<Fact>) -> String?) -> Column {
            Column(sqlType: sqlType) { rows in
                var literal = PostgresArrayLiteral(capacity: rows.count * 12)
                for index in rows.indices { literal.append(value(rows[index])) }
                return literal
            }
        }
    }

    /// Calls `function(organization, column1[], column2[], ...)`, one array per column, when there are rows.
    private func call<Fact>(_ function: String, _ rows: [Row<Fact>], _ columns: [Column<Fact>]) throws {
        guard !rows.isEmpty else { return }
        var parameters: [(any PostgresEncodable)?] = [organization]
        // Each row read where it lies: copying it out (its strings retained and released) once per column
        // cost more than writing the values.
        rows.withUnsafeBufferPointer { rows in
            for column in columns { parameters.append(column.array(rows)) }
        }
        let arguments = columns.enumerated().map { "$\($0.offset + 2)::\($0.element.sqlType)[]" }.joined(separator: ", ")
        try connection.query("SELECT \(function)($1, \(arguments))", parameters, prepared: true)
    }

    private func writeAmbassadors(_ rows: [Row<AmbassadorFact>]) throws {
        guard !rows.isEmpty else { return }
        try connection.query(
            "SELECT ingest.record_ambassador_events($1, $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::jsonb[])",
            [
                organization, rows.map(\.id), rows.map(\.fact.ambassadorID), rows.map(\.fact.kind.rawValue),
                rows.map(\.occurredAt), rows.map(\.fact.effectiveAt), rows.map(\.fact.attributesJSON),
            ]
        )
    }
}

