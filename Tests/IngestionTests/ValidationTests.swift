import Foundation
import Testing

@testable import Ingestion

/// Builds event JSON for tests.
enum Events {
    static func json(_ object: [String: Any]) -> JSONValue {
        let data = try! JSONSerialization.data(withJSONObject: object)
        var items = try! BatchParser.parse(Array(data), format: .json, limits: IngestionLimits())
        return try! items.removeFirst().parsed.get()
    }

    static func envelope(_ type: String, id: String = UUID().uuidString, at occurred: String = "2026-03-05T10:00:00Z", _ data: [String: Any]) -> [String: Any] {
        ["id": id, "type": type, "occurred_at": occurred, "data": data]
    }

    static var metrics: [String: Any] { [
        "post_id": "p1", "impressions": 1000, "members_reached": 700, "reactions": 20, "comments": 3, "reshares": 2, "clicks": 9,
    ] }
    static var ssi: [String: Any] { [
        "ambassador_id": "a1", "date": "2026-03-01", "brand": 21.09, "people": 15.91, "insights": 13.09, "relationships": 25,
    ] }

    /// The JSON text of an event, for test arguments (which must be Sendable).
    static func text(_ object: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }
}

@Suite("Validating events")
struct ValidationTests {
    let validator = EventValidator(futureTolerance: 3600)
    let now = Timestamps.parseRFC3339("2026-03-06T00:00:00Z")!

    func rejection(_ object: [String: Any]) -> Rejection? {
        do throws(Rejection) {
            _ = try validator.validate(Events.json(object), now: now)
            return nil
        } catch {
            return error
        }
    }

    @Test("a valid event of every type is accepted")
    func everyType() throws {
        let samples: [(String, [String: Any])] = [
            ("ambassador.enrolled", ["ambassador_id": "a1", "team": "Sales", "networks": ["linkedin": 500]]),
            ("ambassador.updated", ["ambassador_id": "a1", "region": NSNull()]),
            ("ambassador.left", ["ambassador_id": "a1"]),
            ("content.created", ["content_id": "c1", "title": "Launch", "url": "https://example.com/launch", "campaign": "spring"]),
            ("post.published", ["post_id": "p1", "ambassador_id": "a1", "network": "linkedin", "content_id": "c1",
                                "tracked_url": "https://example.com/launch?utm_medium=employee_advocacy&utm_content=tok1"]),
            ("post.metrics_observed", Events.metrics),
            ("audience.touched", ["member": "hash-1", "post_id": "p1"]),
            ("ssi.snapshot", Events.ssi.merging(["total": 75.09, "industry_rank_top_pct": 1, "network_rank_top_pct": 5]) { $1 }),
            ("web.visit", ["visitor": "v1", "landing_url": "https://example.com/?utm_medium=employee_advocacy"]),
            ("lead.created", ["lead_id": "l1", "source_channel": "employee_advocacy", "ambassador_id": "a1",
                              "estimated_value": "12000.50", "currency": "eur"]),
            ("lead.stage_changed", ["lead_id": "l1", "stage": "won", "won_amount": 11000, "currency": "EUR"]),
            ("application.created", ["application_id": "ap1", "job_id": "j1", "source_channel": "job_board"]),
            ("application.stage_changed", ["application_id": "ap1", "stage": "hired"]),
            ("cost.recorded", ["cost_id": "k1", "period_start": "2026-01-01", "period_end": "2026-01-31", "category": "licence",
                               "amount": 2500, "currency": "EUR"]),
            ("rate_card.set", ["network": "linkedin", "currency": "EUR", "effective_from": "2026-01-01", "cpm": 28.5, "cpc": 5,
                               "cost_per_reaction": 0.8, "cost_per_comment": 2.5, "cost_per_reshare": 4.0125]),
        ]
        #expect(Set(samples.map(\.0)) == Set(EventType.allCases.map(\.rawValue)))
        for (type, data) in samples {
            #expect(rejection(Events.envelope(type, data)) == nil, "\(type)")
        }
        let event = try validator.validate(Events.json(Events.envelope("post.published", samples[4].1)), now: now)
        guard case .post(let post) = event.fact else {
            Issue.record("expected a post")
            return
        }
        #expect(post.network == "linkedin")
        #expect(post.utmToken == "tok1")
        #expect(post.postedAt == event.occurredAt)
    }

    @Test("each bad input is refused with its reason and the field at fault", arguments: [
        (Events.text(["id": "e1", "type": "post.metrics_observed", "data": Events.metrics]), RejectionReason.missingField, "occurred_at"),
        (Events.text(Events.envelope("nope.unknown", [:])), .unknownType, "type"),
        (Events.text(Events.envelope("post.metrics_observed", Events.metrics.merging(["impressions": "1000"]) { $1 })), .wrongType, "data.impressions"),
        (Events.text(Events.envelope("post.metrics_observed", Events.metrics.merging(["reactions": -1]) { $1 })), .outOfRange, "data.reactions"),
        (Events.text(Events.envelope("post.metrics_observed", Events.metrics.merging(["clicks": 1.5]) { $1 })), .invalidValue, "data.clicks"),
        (Events.text(Events.envelope("post.metrics_observed", Events.metrics.merging(["members_reached": 5000]) { $1 })), .inconsistent, "data.members_reached"),
        (Events.text(Events.envelope("post.metrics_observed", Events.metrics.merging(["impresions": 3]) { $1 })), .unknownField, "data.impresions"),
        (Events.text(Events.envelope("post.metrics_observed", Events.metrics.filter { $0.key != "post_id" })), .missingField, "data.post_id"),
        // Applications have the ATS sources, leads the marketing channels: neither takes the other's.
        (Events.text(Events.envelope("application.created", ["application_id": "a", "job_id": "j", "source_channel": "paid"])), .invalidValue, "data.source_channel"),
        (Events.text(Events.envelope("lead.created", ["lead_id": "l", "source_channel": "job_board"])), .invalidValue, "data.source_channel"),
        (Events.text(Events.envelope("ssi.snapshot", Events.ssi.merging(["brand": 25.5]) { $1 })), .outOfRange, "data.brand"),
        (Events.text(Events.envelope("ssi.snapshot", Events.ssi.merging(["people": -0.01]) { $1 })), .outOfRange, "data.people"),
        (Events.text(Events.envelope("ssi.snapshot", Events.ssi.merging(["insights": 13.095]) { $1 })), .invalidValue, "data.insights"),
        (Events.text(Events.envelope("ssi.snapshot", Events.ssi.merging(["total": 75]) { $1 })), .inconsistent, "data.total"),
        (Events.text(Events.envelope("ssi.snapshot", Events.ssi.merging(["date": "2026-02-30"]) { $1 })), .invalidValue, "data.date"),
        (Events.text(Events.envelope("post.metrics_observed", at: "2026-03-07T00:00:00Z", Events.metrics)), .futureTimestamp, "occurred_at"),
        (Events.text(Events.envelope("post.metrics_observed", Events.metrics.merging(["observed_at": "2030-01-01T00:00:00Z"]) { $1 })), .futureTimestamp, "data.observed_at"),
        (Events.text(Events.envelope("post.metrics_observed", at: "2026-03-05 10:00", Events.metrics)), .invalidValue, "occurred_at"),
        (Events.text(Events.envelope("post.metrics_observed", at: "1971-06-01T00:00:00Z", Events.metrics)), .beforeEarliestDate, "occurred_at"),
        (Events.text(Events.envelope("post.metrics_observed", at: "1999-12-31T23:59:59Z", Events.metrics)), .beforeEarliestDate, "occurred_at"),
        (Events.text(Events.envelope("lead.created", ["lead_id": "l", "source_channel": "paid", "created_at": "1970-01-01T00:00:00Z"])), .beforeEarliestDate, "data.created_at"),
        (Events.text(Events.envelope("ssi.snapshot", Events.ssi.merging(["date": "1999-12-31"]) { $1 })), .beforeEarliestDate, "data.date"),
        (Events.text(Events.envelope("cost.recorded", ["cost_id": "k", "period_start": "1990-01-01", "period_end": "2026-01-31", "category": "licence", "amount": 1, "currency": "EUR"])), .beforeEarliestDate, "data.period_start"),
        (Events.text(Events.envelope("post.published", ["post_id": "p", "ambassador_id": "a", "network": "myspace"])), .invalidValue, "data.network"),
        // As the OpenAPI document says: enumerations exact, identifiers not only spaces,
        // money above 2^53 - 1 as a string.
        (Events.text(Events.envelope("post.published", ["post_id": "p", "ambassador_id": "a", "network": "LinkedIn"])), .invalidValue, "data.network"),
        (Events.text(Events.envelope("content.created", ["content_id": "   ", "title": "t"])), .invalidValue, "data.content_id"),
        (Events.text(Events.envelope("lead.created", ["lead_id": "l", "source_channel": "paid", "estimated_value": 9_007_199_254_740_993, "currency": "EUR"])), .outOfRange, "data.estimated_value"),
        (Events.text(Events.envelope("ssi.snapshot", Events.ssi.merging(["brand": " 15.5"]) { $1 })), .invalidValue, "data.brand"),
        (Events.text(Events.envelope("lead.created", ["lead_id": "l", "source_channel": "paid", "ambassador_id": "a"])), .inconsistent, "data.ambassador_id"),
        (Events.text(Events.envelope("lead.created", ["lead_id": "l", "source_channel": "paid", "estimated_value": 10])), .missingField, "data.currency"),
        (Events.text(Events.envelope("lead.stage_changed", ["lead_id": "l", "stage": "lost", "won_amount": 10, "currency": "EUR"])), .inconsistent, "data.won_amount"),
        (Events.text(Events.envelope("cost.recorded", ["cost_id": "k", "period_start": "2026-02-01", "period_end": "2026-01-01", "category": "licence", "amount": 1, "currency": "EUR"])), .inconsistent, "data.period_end"),
        (Events.text(Events.envelope("cost.recorded", ["cost_id": "k", "period_start": "2026-01-01", "period_end": "2026-01-31", "category": "licence", "amount": 1, "currency": "EURO"])), .invalidValue, "data.currency"),
        (Events.text(Events.envelope("web.visit", ["visitor": "v", "landing_url": "not a url"])), .invalidValue, "data.landing_url"),
        (Events.text(Events.envelope("ambassador.updated", ["ambassador_id": "a"])), .missingField, "data"),
        (Events.text(Events.envelope("content.created", ["content_id": "", "title": "t"])), .invalidValue, "data.content_id"),
        (Events.text(Events.envelope("content.created", ["content_id": String(repeating: "x", count: 201), "title": "t"])), .outOfRange, "data.content_id"),
        (Events.text(["id": "e1", "type": "content.created", "occurred_at": "2026-03-05T10:00:00Z", "data": ["content_id": "c", "title": "t"], "extra": 1]), .unknownField, "extra"),
        (Events.text(["id": 42, "type": "content.created", "occurred_at": "2026-03-05T10:00:00Z", "data": [:]]), .wrongType, "id"),
        (Events.text(["id": "e1", "type": "content.created", "occurred_at": "2026-03-05T10:00:00Z", "data": [1]]), .wrongType, "data"),
    ] as [(String, RejectionReason, String)])
    func refusals(event: String, reason: RejectionReason, field: String) {
        let object = try! JSONSerialization.jsonObject(with: Data(event.utf8)) as! [String: Any]
        let refused = rejection(object)
        #expect(refused?.reason == reason, "\(String(describing: refused))")
        #expect(refused?.field == field, "\(String(describing: refused))")
        #expect(refused?.message.isEmpty == false)
    }

    @Test("the earliest date is a setting: midnight UTC of that day is accepted, a second before it refused")
    func earliestDate() throws {
        let validator = EventValidator(futureTolerance: 3600, earliest: try #require(EventValidator.midnight(of: "2020-02-29")))
        let accepted = Events.envelope("post.metrics_observed", at: "2020-02-29T00:00:00Z", Events.metrics)
        #expect(throws: Never.self) { try validator.validate(Events.json(accepted), now: now) }
        let refused = Events.envelope("post.metrics_observed", at: "2020-02-28T23:59:59Z", Events.metrics)
        #expect(throws: Rejection.self) { try validator.validate(Events.json(refused), now: now) }
        #expect(EventValidator.midnight(of: "2020-02-30") == nil)
        #expect(EventValidator.midnight(of: "yesterday") == nil)
    }

    @Test("an item that is not an object is refused as such")
    func notAnObject() {
        #expect(throws: Rejection(.notAnObject, field: nil, "an event must be a JSON object, not an array")) {
            try validator.validate(.array([]), now: now)
        }
    }

    @Test("decimals keep their exact text; the SSI total defaults to the sum of the pillars")
    func exactDecimals() throws {
        let event = try validator.validate(Events.json(Events.envelope("ssi.snapshot", Events.ssi)), now: now)
        guard case .ssi(let ssi) = event.fact else {
            Issue.record("expected an SSI snapshot")
            return
        }
        #expect(ssi.brand == "21.09")
        #expect(ssi.total == "75.09")
    }
}
