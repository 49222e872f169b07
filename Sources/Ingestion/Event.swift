import Foundation

/// The kinds of fact the service ingests, one per fact of the domain (the OpenAPI document describes each `data`).
public enum EventType: String, Sendable, CaseIterable {
    case ambassadorEnrolled = "ambassador.enrolled"
    case ambassadorUpdated = "ambassador.updated"
    case ambassadorLeft = "ambassador.left"
    case contentCreated = "content.created"
    case postPublished = "post.published"
    case postMetricsObserved = "post.metrics_observed"
    case audienceTouched = "audience.touched"
    case ssiSnapshot = "ssi.snapshot"
    case webVisit = "web.visit"
    case leadCreated = "lead.created"
    case leadStageChanged = "lead.stage_changed"
    case applicationCreated = "application.created"
    case applicationStageChanged = "application.stage_changed"
    case costRecorded = "cost.recorded"
    case rateCardSet = "rate_card.set"

    /// The fields `data` may have, the required first: the OpenAPI document's `<Type>Data` schemas list the same
    /// (a test compares them), and the validator refuses any other.
    public var dataFields: (required: [String], optional: [String]) {
        let attributes = ["display_name", "team", "department", "region", "networks"]
        switch self {
        case .ambassadorEnrolled: return (["ambassador_id"], ["enrolled_at"] + attributes)
        case .ambassadorUpdated: return (["ambassador_id"], attributes)
        case .ambassadorLeft: return (["ambassador_id"], ["left_at"])
        case .contentCreated: return (["content_id", "title"], ["url", "topic", "campaign", "created_at"])
        case .postPublished: return (["post_id", "ambassador_id", "network"], ["content_id", "posted_at", "tracked_url"])
        case .postMetricsObserved:
            return (
                ["post_id", "impressions", "members_reached", "reactions", "comments", "reshares", "clicks"],
                ["observed_at", "saves", "sends", "followers_gained"]
            )
        case .audienceTouched: return (["member"], ["post_id", "ambassador_id", "touched_at"])
        case .ssiSnapshot:
            return (
                ["ambassador_id", "date", "brand", "people", "insights", "relationships"],
                ["total", "industry_rank_top_pct", "network_rank_top_pct", "industry_average", "network_average"]
            )
        case .webVisit: return (["visitor", "landing_url"], ["visit_id"])
        case .leadCreated: return (["lead_id", "source_channel"], ["created_at", "ambassador_id", "post_id", "estimated_value", "currency"])
        case .leadStageChanged: return (["lead_id", "stage"], ["changed_at", "won_amount", "currency"])
        case .applicationCreated:
            return (["application_id", "job_id", "source_channel"], ["applied_at", "ambassador_id", "candidate_ref"])
        case .applicationStageChanged: return (["application_id", "stage"], ["changed_at"])
        case .costRecorded: return (["cost_id", "period_start", "period_end", "category", "amount", "currency"], ["note"])
        case .rateCardSet:
            return (["network", "currency", "effective_from", "cpm", "cpc", "cost_per_reaction", "cost_per_comment", "cost_per_reshare"], [])
        }
    }
}

/// A validated event: the envelope and its typed fact. Decimal values are kept as the exact text that
/// was sent (validated), so PostgreSQL's numeric receives them unrounded.
public struct Event: Sendable {
    public let id: String
    public let type: EventType
    public let occurredAt: Date
    public let fact: Fact
}

public enum Fact: Sendable {
    case ambassador(AmbassadorFact)
    case content(ContentFact)
    case post(PostFact)
    case metrics(MetricsFact)
    case touch(TouchFact)
    case ssi(SSIFact)
    case visit(VisitFact)
    case lead(LeadFact)
    case leadStage(LeadStageFact)
    case application(ApplicationFact)
    case applicationStage(ApplicationStageFact)
    case cost(CostFact)
    case rateCard(RateCardFact)
}

public struct AmbassadorFact: Sendable {
    public enum Kind: String, Sendable { case enrolled, updated, left }
    public let kind: Kind
    public let ambassadorID: String
    /// enrolled_at or left_at.
    public let effectiveAt: Date?
    /// The attributes present in the event, as JSON text: `null` clears one, a missing key leaves it alone.
    public let attributesJSON: String
}

public struct ContentFact: Sendable {
    public let contentID: String
    public let title: String
    public let url: String?
    public let topic: String?
    public let campaign: String?
    public let createdAt: Date
}

public struct PostFact: Sendable {
    public let postID: String
    public let ambassadorID: String
    public let network: String
    public let contentID: String?
    public let postedAt: Date
    public let trackedURL: String?
    public let utmToken: String?
}

public struct MetricsFact: Sendable {
    public let postID: String
    public let observedAt: Date
    public let impressions: Int64
    public let membersReached: Int64
    public let reactions: Int64
    public let comments: Int64
    public let reshares: Int64
    public let clicks: Int64
    public let saves: Int64?
    public let sends: Int64?
    public let followersGained: Int64?
}

public struct TouchFact: Sendable {
    public let member: String
    public let postID: String?
    public let ambassadorID: String?
    public let touchedAt: Date
}

public struct SSIFact: Sendable {
    public let ambassadorID: String
    public let date: String
    public let brand: String
    public let people: String
    public let insights: String
    public let relationships: String
    public let total: String
    public let industryRank: String?
    public let networkRank: String?
    public let industryAverage: String?
    public let networkAverage: String?
}

public struct VisitFact: Sendable {
    public let visitID: String
    public let visitor: String
    public let landing: LandingURL
}

public struct LeadFact: Sendable {
    public let leadID: String
    public let createdAt: Date
    public let channel: String
    public let ambassadorID: String?
    public let postID: String?
    public let estimatedValue: String?
    public let currency: String?
}

public struct LeadStageFact: Sendable {
    public let leadID: String
    public let stage: String
    public let changedAt: Date
    public let wonAmount: String?
    public let currency: String?
}

public struct ApplicationFact: Sendable {
    public let applicationID: String
    public let jobID: String
    public let appliedAt: Date
    public let channel: String
    public let ambassadorID: String?
    public let candidateRef: String?
}

public struct ApplicationStageFact: Sendable {
    public let applicationID: String
    public let stage: String
    public let changedAt: Date
}

public struct CostFact: Sendable {
    public let costID: String
    public let periodStart: String
    public let periodEnd: String
    public let category: String
    public let amount: String
    public let currency: String
    public let note: String?
}

public struct RateCardFact: Sendable {
    public let network: String
    public let currency: String
    public let effectiveFrom: String
    public let cpm: String
    public let cpc: String
    public let costPerReaction: String
    public let costPerComment: String
    public let costPerReshare: String
}
