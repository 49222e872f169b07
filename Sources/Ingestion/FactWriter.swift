import Foundation
import Postgres

/// Applies accepted events to the fact tables through the `ingest.upsert_*` functions of
/// `SQL/migrations/0002_ingestion.sql`: one statement per fact type, each taking the batch as arrays.
struct FactWriter {
    let connection: PostgresConnection
    let organization: UUID

    func write(_ events: [Event]) throws {
        guard !events.isEmpty else { return }
        var ambassadors: [(Event, AmbassadorFact)] = []
        var contents: [(Event, ContentFact)] = []
        var posts: [(Event, PostFact)] = []
        var metrics: [(Event, MetricsFact)] = []
        var touches: [(Event, TouchFact)] = []
        var snapshots: [(Event, SSIFact)] = []
        var visits: [(Event, VisitFact)] = []
        var leads: [(Event, LeadFact)] = []
        var leadStages: [(Event, LeadStageFact)] = []
        var applications: [(Event, ApplicationFact)] = []
        var applicationStages: [(Event, ApplicationStageFact)] = []
        var costs: [(Event, CostFact)] = []
        var rateCards: [(Event, RateCardFact)] = []
        for event in events {
            switch event.fact {
            case .ambassador(let fact): ambassadors.append((event, fact))
            case .content(let fact): contents.append((event, fact))
            case .post(let fact): posts.append((event, fact))
            case .metrics(let fact): metrics.append((event, fact))
            case .touch(let fact): touches.append((event, fact))
            case .ssi(let fact): snapshots.append((event, fact))
            case .visit(let fact): visits.append((event, fact))
            case .lead(let fact): leads.append((event, fact))
            case .leadStage(let fact): leadStages.append((event, fact))
            case .application(let fact): applications.append((event, fact))
            case .applicationStage(let fact): applicationStages.append((event, fact))
            case .cost(let fact): costs.append((event, fact))
            case .rateCard(let fact): rateCards.append((event, fact))
            }
        }
        try call("ingest.upsert_content_items", contents, [
            .text { $0.0.id }, .timestamp { $0.0.occurredAt }, .text { $0.1.contentID }, .text { $0.1.title }, .text { $0.1.url },
            .text { $0.1.topic }, .text { $0.1.campaign }, .timestamp { $0.1.createdAt },
        ])
        try call("ingest.upsert_posts", posts, [
            .text { $0.0.id }, .timestamp { $0.0.occurredAt }, .text { $0.1.postID }, .text { $0.1.ambassadorID },
            .text { $0.1.network }, .text { $0.1.contentID }, .timestamp { $0.1.postedAt }, .text { $0.1.trackedURL },
            .text { $0.1.utmToken },
        ])
        try call("ingest.upsert_post_metrics", metrics, [
            .text { $0.0.id }, .timestamp { $0.0.occurredAt }, .text { $0.1.postID }, .timestamp { $0.1.observedAt },
            .bigint { $0.1.impressions }, .bigint { $0.1.membersReached }, .bigint { $0.1.reactions }, .bigint { $0.1.comments },
            .bigint { $0.1.reshares }, .bigint { $0.1.clicks }, .bigint { $0.1.saves }, .bigint { $0.1.sends },
            .bigint { $0.1.followersGained },
        ])
        try call("ingest.insert_audience_touches", touches, [
            .text { $0.0.id }, .text { $0.1.member }, .text { $0.1.postID }, .text { $0.1.ambassadorID }, .timestamp { $0.1.touchedAt },
        ])
        try call("ingest.upsert_ssi_snapshots", snapshots, [
            .text { $0.0.id }, .timestamp { $0.0.occurredAt }, .text { $0.1.ambassadorID }, .date { $0.1.date },
            .numeric { $0.1.brand }, .numeric { $0.1.people }, .numeric { $0.1.insights }, .numeric { $0.1.relationships },
            .numeric { $0.1.total }, .numeric { $0.1.industryRank }, .numeric { $0.1.networkRank },
            .numeric { $0.1.industryAverage }, .numeric { $0.1.networkAverage },
        ])
        try call("ingest.upsert_web_visits", visits, [
            .text { $0.0.id }, .timestamp { $0.0.occurredAt }, .text { $0.1.visitID }, .text { $0.1.visitor },
            .text { $0.1.landing.url }, .text { $0.1.landing.host }, .text { $0.1.landing.path }, .text { $0.1.landing.source },
            .text { $0.1.landing.medium }, .text { $0.1.landing.campaign }, .text { $0.1.landing.content },
            .text { $0.1.landing.term }, .boolean { $0.1.landing.isAdvocacy },
        ])
        try call("ingest.upsert_leads", leads, [
            .text { $0.0.id }, .timestamp { $0.0.occurredAt }, .text { $0.1.leadID }, .timestamp { $0.1.createdAt },
            .text { $0.1.channel }, .text { $0.1.ambassadorID }, .text { $0.1.postID }, .numeric { $0.1.estimatedValue },
            .text { $0.1.currency },
        ])
        try call("ingest.insert_lead_stage_changes", leadStages, [
            .text { $0.0.id }, .text { $0.1.leadID }, .text { $0.1.stage }, .timestamp { $0.1.changedAt },
            .numeric { $0.1.wonAmount }, .text { $0.1.currency },
        ])
        try call("ingest.upsert_applications", applications, [
            .text { $0.0.id }, .timestamp { $0.0.occurredAt }, .text { $0.1.applicationID }, .text { $0.1.jobID },
            .timestamp { $0.1.appliedAt }, .text { $0.1.channel }, .text { $0.1.ambassadorID }, .text { $0.1.candidateRef },
        ])
        try call("ingest.insert_application_stage_changes", applicationStages, [
            .text { $0.0.id }, .text { $0.1.applicationID }, .text { $0.1.stage }, .timestamp { $0.1.changedAt },
        ])
        try call("ingest.upsert_programme_costs", costs, [
            .text { $0.0.id }, .timestamp { $0.0.occurredAt }, .text { $0.1.costID }, .date { $0.1.periodStart },
            .date { $0.1.periodEnd }, .text { $0.1.category }, .numeric { $0.1.amount }, .text { $0.1.currency }, .text { $0.1.note },
        ])
        try call("ingest.upsert_rate_cards", rateCards, [
            .text { $0.0.id }, .timestamp { $0.0.occurredAt }, .text { $0.1.network }, .text { $0.1.currency },
            .date { $0.1.effectiveFrom }, .numeric { $0.1.cpm }, .numeric { $0.1.cpc }, .numeric { $0.1.costPerReaction },
            .numeric { $0.1.costPerComment }, .numeric { $0.1.costPerReshare },
        ])
        try writeAmbassadors(ambassadors)
    }

    /// One column of a batch: its SQL type, and how a row writes its value into the column's array literal.
    struct Column<Row> {
        let sqlType: String
        let write: (Row, inout PostgresArrayLiteral) -> Void

        static func text(_ value: @escaping (Row) -> String?) -> Column { Column(sqlType: "text") { $1.append(value($0)) } }
        /// Validated decimal text (`EventValidator`), exact all the way to `numeric`.
        static func numeric(_ value: @escaping (Row) -> String?) -> Column { Column(sqlType: "numeric") { $1.append(value($0)) } }
        static func date(_ value: @escaping (Row) -> String?) -> Column { Column(sqlType: "date") { $1.append(value($0)) } }
        static func timestamp(_ value: @escaping (Row) -> Date?) -> Column { Column(sqlType: "timestamptz") { $1.append(value($0)) } }
        static func bigint(_ value: @escaping (Row) -> Int64?) -> Column { Column(sqlType: "bigint") { $1.append(value($0)) } }
        static func boolean(_ value: @escaping (Row) -> Bool?) -> Column { Column(sqlType: "boolean") { $1.append(value($0)) } }
    }

    /// Calls `function(organization, column1[], column2[], ...)`, one array per column, when there are rows.
    private func call<Row>(_ function: String, _ rows: [Row], _ columns: [Column<Row>]) throws {
        guard !rows.isEmpty else { return }
        var parameters: [(any PostgresEncodable)?] = [organization]
        for column in columns {
            var literal = PostgresArrayLiteral(capacity: rows.count * 24)
            // By index: a row is read where it lies, not copied out (with its strings retained) once per column.
            for index in rows.indices { column.write(rows[index], &literal) }
            parameters.append(literal)
        }
        let arguments = columns.enumerated().map { "$\($0.offset + 2)::\($0.element.sqlType)[]" }.joined(separator: ", ")
        try connection.query("SELECT \(function)($1, \(arguments))", parameters)
    }

    private func writeAmbassadors(_ rows: [(Event, AmbassadorFact)]) throws {
        guard !rows.isEmpty else { return }
        try connection.query(
            """
            INSERT INTO core.ambassador_events (organization_id, event_id, ambassador_id, kind, occurred_at, effective_at, attributes)
            SELECT $1, e.event_id, e.ambassador_id, e.kind, e.occurred_at, e.effective_at, e.attributes::jsonb
            FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::text[])
                 AS e (event_id, ambassador_id, kind, occurred_at, effective_at, attributes)
            ON CONFLICT DO NOTHING
            """,
            [
                organization, rows.map(\.0.id), rows.map(\.1.ambassadorID), rows.map(\.1.kind.rawValue),
                rows.map(\.0.occurredAt), rows.map(\.1.effectiveAt), rows.map(\.1.attributesJSON),
            ]
        )
        try connection.query(
            "SELECT ingest.refresh_ambassadors($1, $2::text[])", [organization, Array(Set(rows.map(\.1.ambassadorID)))]
        )
    }
}

