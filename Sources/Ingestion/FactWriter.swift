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
            { $0.0.id }, { $0.0.occurredAt }, { $0.1.contentID }, { $0.1.title }, { $0.1.url }, { $0.1.topic },
            { $0.1.campaign }, { $0.1.createdAt },
        ], types: ["text", "timestamptz", "text", "text", "text", "text", "text", "timestamptz"])
        try call("ingest.upsert_posts", posts, [
            { $0.0.id }, { $0.0.occurredAt }, { $0.1.postID }, { $0.1.ambassadorID }, { $0.1.network }, { $0.1.contentID },
            { $0.1.postedAt }, { $0.1.trackedURL }, { $0.1.utmToken },
        ], types: ["text", "timestamptz", "text", "text", "text", "text", "timestamptz", "text", "text"])
        try call("ingest.upsert_post_metrics", metrics, [
            { $0.0.id }, { $0.0.occurredAt }, { $0.1.postID }, { $0.1.observedAt }, { $0.1.impressions },
            { $0.1.membersReached }, { $0.1.reactions }, { $0.1.comments }, { $0.1.reshares }, { $0.1.clicks },
            { $0.1.saves }, { $0.1.sends }, { $0.1.followersGained },
        ], types: ["text", "timestamptz", "text", "timestamptz"] + Array(repeating: "bigint", count: 9))
        try call("ingest.insert_audience_touches", touches, [
            { $0.0.id }, { $0.1.member }, { $0.1.postID }, { $0.1.ambassadorID }, { $0.1.touchedAt },
        ], types: ["text", "text", "text", "text", "timestamptz"])
        try call("ingest.upsert_ssi_snapshots", snapshots, [
            { $0.0.id }, { $0.0.occurredAt }, { $0.1.ambassadorID }, { $0.1.date }, { $0.1.brand }, { $0.1.people },
            { $0.1.insights }, { $0.1.relationships }, { $0.1.total }, { $0.1.industryRank }, { $0.1.networkRank },
            { $0.1.industryAverage }, { $0.1.networkAverage },
        ], types: ["text", "timestamptz", "text", "date"] + Array(repeating: "numeric", count: 9))
        try call("ingest.upsert_web_visits", visits, [
            { $0.0.id }, { $0.0.occurredAt }, { $0.1.visitID }, { $0.1.visitor }, { $0.1.landing.url },
            { $0.1.landing.host }, { $0.1.landing.path }, { $0.1.landing.source }, { $0.1.landing.medium },
            { $0.1.landing.campaign }, { $0.1.landing.content }, { $0.1.landing.term }, { $0.1.landing.isAdvocacy },
        ], types: ["text", "timestamptz"] + Array(repeating: "text", count: 10) + ["boolean"])
        try call("ingest.upsert_leads", leads, [
            { $0.0.id }, { $0.0.occurredAt }, { $0.1.leadID }, { $0.1.createdAt }, { $0.1.channel }, { $0.1.ambassadorID },
            { $0.1.postID }, { $0.1.estimatedValue }, { $0.1.currency },
        ], types: ["text", "timestamptz", "text", "timestamptz", "text", "text", "text", "numeric", "text"])
        try call("ingest.insert_lead_stage_changes", leadStages, [
            { $0.0.id }, { $0.1.leadID }, { $0.1.stage }, { $0.1.changedAt }, { $0.1.wonAmount }, { $0.1.currency },
        ], types: ["text", "text", "text", "timestamptz", "numeric", "text"])
        try call("ingest.upsert_applications", applications, [
            { $0.0.id }, { $0.0.occurredAt }, { $0.1.applicationID }, { $0.1.jobID }, { $0.1.appliedAt }, { $0.1.channel },
            { $0.1.ambassadorID }, { $0.1.candidateRef },
        ], types: ["text", "timestamptz", "text", "text", "timestamptz", "text", "text", "text"])
        try call("ingest.insert_application_stage_changes", applicationStages, [
            { $0.0.id }, { $0.1.applicationID }, { $0.1.stage }, { $0.1.changedAt },
        ], types: ["text", "text", "text", "timestamptz"])
        try call("ingest.upsert_programme_costs", costs, [
            { $0.0.id }, { $0.0.occurredAt }, { $0.1.costID }, { $0.1.periodStart }, { $0.1.periodEnd }, { $0.1.category },
            { $0.1.amount }, { $0.1.currency }, { $0.1.note },
        ], types: ["text", "timestamptz", "text", "date", "date", "text", "numeric", "text", "text"])
        try call("ingest.upsert_rate_cards", rateCards, [
            { $0.0.id }, { $0.0.occurredAt }, { $0.1.network }, { $0.1.currency }, { $0.1.effectiveFrom }, { $0.1.cpm },
            { $0.1.cpc }, { $0.1.costPerReaction }, { $0.1.costPerComment }, { $0.1.costPerReshare },
        ], types: ["text", "timestamptz", "text", "text", "date"] + Array(repeating: "numeric", count: 5))
        try writeAmbassadors(ambassadors)
    }

    /// Calls `function(organization, column1[], column2[], ...)`, one array per column, when there are rows.
    private func call<Row>(
        _ function: String, _ rows: [Row], _ columns: [(Row) -> (any PostgresEncodable)?], types: [String]
    ) throws {
        guard !rows.isEmpty else { return }
        precondition(columns.count == types.count, "\(function): one SQL type per column")
        var parameters: [(any PostgresEncodable)?] = [organization]
        for column in columns {
            parameters.append(PostgresArray(rows.map(column)))
        }
        let arguments = types.enumerated().map { "$\($0.offset + 2)::\($0.element)[]" }.joined(separator: ", ")
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

