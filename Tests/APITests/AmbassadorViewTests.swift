import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// `GET /v1/me` on a hand-made February: three ambassadors, their posts, a lead, an application, SSI snapshots
/// and a goal; every number checked against its hand computation, and what an ambassador's key cannot read.
@Suite("Ambassador view")
struct AmbassadorViewTests {
    static let february = "from=2026-02-01&to=2026-02-28"

    static var events: String {
        var lines: [String] = []
        func add(_ id: String, _ type: String, _ at: String, _ data: String) {
            lines.append(#"{"id":"\#(id)","type":"\#(type)","occurred_at":"\#(at)T10:00:00Z","data":\#(data)}"#)
        }
        for (id, team, name) in [("a1", "Sales", "Ada"), ("a2", "Sales", "Bob"), ("a3", "Marketing", "Cy")] {
            add("en-\(id)", "ambassador.enrolled", "2026-01-01", #"{"ambassador_id":"\#(id)","team":"\#(team)","display_name":"\#(name)"}"#)
        }
        for (id, title) in [("c1", "Launch"), ("c2", "Hiring"), ("c3", "Brand")] {
            add("ct-\(id)", "content.created", "2026-01-10", #"{"content_id":"\#(id)","title":"\#(title)","url":"https://example.com/\#(id)"}"#)
        }
        // post, ambassador, content, impressions, reactions
        let posts: [(String, String, String?, Int, Int)] = [
            ("p1", "a1", "c1", 1000, 10), ("p2", "a1", nil, 500, 40),
            ("p3", "a2", "c2", 1000, 5), ("p4", "a2", "c2", 1000, 5), ("p5", "a2", nil, 1000, 5),
            ("p6", "a3", "c3", 100, 50),
        ]
        for (index, (post, ambassador, content, impressions, reactions)) in posts.enumerated() {
            let item = content.map { #","content_id":"\#($0)""# } ?? ""
            let link = #","tracked_url":"https://example.com/x?utm_medium=employee_advocacy&utm_content=tok-\#(post)""#
            add(post, "post.published", "2026-02-0\(index + 1)", #"{"post_id":"\#(post)","ambassador_id":"\#(ambassador)","network":"linkedin"\#(item)\#(link)}"#)
            add("m-\(post)", "post.metrics_observed", "2026-02-20",
                #"{"post_id":"\#(post)","observed_at":"2026-02-20T00:00:00Z","impressions":\#(impressions),"members_reached":1,"reactions":\#(reactions),"comments":0,"reshares":0,"clicks":0}"#)
        }
        // Two visits through a1's p1, one through a2's p3, one with a token nobody issued.
        for (index, token) in ["tok-p1", "tok-p1", "tok-p3", "tok-nobody"].enumerated() {
            add("v\(index)", "web.visit", "2026-02-12",
                #"{"visitor":"visitor-\#(index)","landing_url":"https://example.com/x?utm_medium=employee_advocacy&utm_content=\#(token)"}"#)
        }
        add("l1", "lead.created", "2026-02-10", #"{"lead_id":"l1","source_channel":"employee_advocacy","ambassador_id":"a1"}"#)
        add("l2", "lead.created", "2026-02-10", #"{"lead_id":"l2","source_channel":"employee_advocacy","ambassador_id":"a2"}"#)
        add("ap1", "application.created", "2026-02-11",
            #"{"application_id":"ap1","job_id":"j1","source_channel":"employee_advocacy","ambassador_id":"a1","candidate_ref":"cand-secret"}"#)
        add("s0", "ssi.snapshot", "2026-02-13", #"{"ambassador_id":"a1","date":"2026-02-13","brand":9,"people":9,"insights":9,"relationships":9}"#)
        add("s1", "ssi.snapshot", "2026-02-20", #"{"ambassador_id":"a1","date":"2026-02-20","brand":10,"people":10,"insights":10,"relationships":10}"#)
        add("s2", "ssi.snapshot", "2026-02-27", #"{"ambassador_id":"a1","date":"2026-02-27","brand":11,"people":11,"insights":11,"relationships":11}"#)
        add("s3", "ssi.snapshot", "2026-02-27", #"{"ambassador_id":"a2","date":"2026-02-27","brand":20,"people":20,"insights":20,"relationships":20}"#)
        return lines.joined(separator: "\n")
    }

    func load(_ client: any TestClientProtocol, _ app: TestApp) async throws {
        try await client.execute(uri: "/v1/events", method: .post, headers: app.ndjsonHeaders, body: ByteBuffer(string: Self.events)) {
            #expect($0.status == .ok)
            #expect($0.json["accepted"] as? Int == Self.events.split(separator: "\n").count, "\(String(buffer: $0.body).prefix(500))")
        }
        try await client.execute(uri: "/v1/ssi/goals/a1", method: .put, headers: app.headers,
                                 body: ByteBuffer(string: #"{"target_score": 60, "target_date": "2026-12-24"}"#)) { #expect($0.status == .noContent) }
    }

    @Test("an ambassador's key reads their own numbers, ranks and suggestions, by hand")
    func ownNumbers() async throws {
        let app = try await TestApp.make()
        let ada = try app.key([.ambassador], ambassador: "a1")
        try await app.test { client in
            try await load(client, app)
            try await client.execute(uri: "/v1/me?\(Self.february)", method: .get, headers: app.headers(key: ada)) { response in
                #expect(response.status == .ok)
                let json = response.json
                let summary = json["summary"] as? [String: Any] ?? [:]
                #expect(summary["ambassador_id"] as? String == "a1")
                #expect(summary["display_name"] as? String == "Ada")
                #expect(summary["posts"] as? Int == 2)
                #expect(summary["impressions"] as? Int == 1500)
                #expect(summary["engagements"] as? Int == 50)
                #expect((summary["engagement_rate"] as? NSNumber)?.doubleValue == 0.033333)  // 50 / 1500
                #expect(summary["leads"] as? Int == 1)
                #expect(summary["applications"] as? Int == 1)
                #expect(summary["visits"] as? Int == 2)
                // Posts: a2 3, a1 2, a3 1. Engagements: a1 50 and a3 50 share rank 1, a2 15.
                #expect(summary["rank_by_posts"] as? Int == 2)
                #expect(summary["rank_by_engagement"] as? Int == 1)
                #expect(summary["ranked"] as? Int == 3)
                #expect(summary["team_rank_by_posts"] as? Int == 2)
                #expect(summary["team_rank_by_engagement"] as? Int == 1)
                #expect(summary["team_ranked"] as? Int == 2)
                // 44 on Feb 27, 40 a week before.
                let ssi = json["ssi"] as? [String: Any] ?? [:]
                #expect((ssi["total_score"] as? NSNumber)?.doubleValue == 44)
                #expect((ssi["brand_score"] as? NSNumber)?.doubleValue == 11)
                #expect((ssi["weekly_change"] as? NSNumber)?.doubleValue == 4)
                let goal = json["goal"] as? [String: Any] ?? [:]
                #expect((goal["target_score"] as? NSNumber)?.doubleValue == 60)
                // 36, 40, 44 a week apart: 4 points a week, 16 to go.
                #expect((goal["trend_per_week"] as? NSNumber)?.doubleValue == 4)
                #expect(goal["projected_date"] is String)
                // Sales shared c1 (a1's own) and c2 (a2's): c2 is the one to suggest.
                let suggestions = json["suggestions"] as? [[String: Any]] ?? []
                #expect(suggestions.compactMap { $0["content_id"] as? String } == ["c2"])
                // Others as ranks only: no id, no name while the organisation does not allow names.
                let leaders = json["leaders"] as? [[String: Any]] ?? []
                #expect(leaders.map { $0["rank"] as? Int } == [1, 2, 3])
                #expect(leaders.map { $0["you"] as? Bool } == [false, true, false])
                #expect(leaders.allSatisfy { $0["display_name"] is NSNull && $0["ambassador_id"] == nil })
                let body = String(buffer: response.body)
                for other in ["a2", "a3", "Bob", "Cy", "cand-secret", "l1", "ap1"] {
                    #expect(!body.contains("\"\(other)\""), "\(other) in \(body.prefix(400))")
                }
            }
            try await client.execute(uri: "/v1/organization/settings", method: .patch, headers: app.headers,
                                      body: ByteBuffer(string: #"{"ambassadors_see_names": true}"#)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/me?\(Self.february)", method: .get, headers: app.headers(key: ada)) { response in
                let leaders = response.json["leaders"] as? [[String: Any]] ?? []
                #expect(leaders.map { $0["display_name"] as? String } == ["Bob", "Ada", "Cy"])
            }
        }
    }

    @Test("an ambassador's key reads nothing else: no other ambassador, no organisation table, no candidate")
    func nothingElse() async throws {
        let app = try await TestApp.make()
        let ada = try app.key([.ambassador], ambassador: "a1")
        try await app.test { client in
            try await load(client, app)
            try await client.execute(uri: "/v1/me?\(Self.february)&ambassador_id=a2", method: .get, headers: app.headers(key: ada)) {
                #expect($0.status == .forbidden)
            }
            for path in ["/v1/kpis", "/v1/leaderboards/ambassadors", "/v1/leaderboards/content", "/v1/candidates/applications",
                         "/v1/series/activity", "/v1/breakdowns/posts", "/v1/ssi/monthly"] {
                try await client.execute(uri: "\(path)?\(Self.february)", method: .get, headers: app.headers(key: ada)) {
                    #expect($0.status == .forbidden, "\(path)")
                }
            }
            for path in ["/v1/ssi?date=2026-02-28", "/v1/ssi/leaderboard?date=2026-02-28", "/v1/keys", "/v1/audit"] {
                try await client.execute(uri: path, method: .get, headers: app.headers(key: ada)) { #expect($0.status == .forbidden, "\(path)") }
            }
            // An admin sees what an ambassador sees, naming them; without a name it is a 422, an unknown one a 404.
            try await client.execute(uri: "/v1/me?\(Self.february)&ambassador_id=a2", method: .get, headers: app.headers) { response in
                #expect((response.json["summary"] as? [String: Any])?["posts"] as? Int == 3)
            }
            try await client.execute(uri: "/v1/me?\(Self.february)", method: .get, headers: app.headers) { #expect($0.status == .unprocessableContent) }
            try await client.execute(uri: "/v1/me?\(Self.february)&ambassador_id=zz", method: .get, headers: app.headers) {
                #expect($0.status == .notFound)
            }
        }
    }

    @Test("an ambassador key is made by an admin for one ambassador, with that scope alone", arguments: [
        (#"{"name": "ada", "scopes": ["ambassador"], "ambassador_id": "a1"}"#, nil),
        (#"{"name": "ada", "scopes": ["ambassador", "marketing"], "ambassador_id": "a1"}"#, "scopes"),
        (#"{"name": "ada", "scopes": ["ambassador"]}"#, "ambassador_id"),
        (#"{"name": "ada", "scopes": ["marketing"], "ambassador_id": "a1"}"#, "scopes"),
    ] as [(String, String?)])
    func keys(body: String, refused: String?) async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            try await client.execute(uri: "/v1/keys", method: .post, headers: app.headers, body: ByteBuffer(string: body)) { response in
                if let refused {
                    #expect(response.status == .badRequest)
                    #expect(response.error["parameter"] as? String == refused)
                } else {
                    #expect(response.status == .created)
                    #expect(response.json["ambassador_id"] as? String == "a1")
                }
            }
        }
    }
}
