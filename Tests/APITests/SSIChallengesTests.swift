import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// Seed 000's challenges ("who gains 5 points by the end of the month", "50 by Christmas") and its monthly
/// sheet, on a hand-made March, checked against values computed by hand.
@Suite("SSI challenges")
struct SSIChallengesTests {
    /// s1, s2, s3, s4 in Sales, m1 in Marketing; each snapshot's pillars are a quarter of its total.
    static var events: String {
        var lines: [String] = []
        for (ambassador, team) in [("s1", "Sales"), ("s2", "Sales"), ("s3", "Sales"), ("s4", "Sales"), ("m1", "Marketing")] {
            lines.append(#"{"id":"en-\#(ambassador)","type":"ambassador.enrolled","occurred_at":"2026-01-01T09:00:00Z","data":{"ambassador_id":"\#(ambassador)","team":"\#(team)"}}"#)
        }
        let snapshots: [(String, String, Double)] = [
            ("s1", "2026-02-20", 40), ("s1", "2026-03-15", 44), ("s1", "2026-03-30", 46),
            ("s2", "2026-02-25", 60), ("s2", "2026-03-20", 63),
            ("s3", "2026-03-05", 30), ("s3", "2026-03-25", 36),  // none before the start: its first since counts
            ("m1", "2026-02-01", 50), ("m1", "2026-03-10", 70),
            ("s4", "2026-04-05", 99),  // after the end only: not in the standings
        ]
        for (ambassador, date, total) in snapshots {
            let pillar = total / 4
            lines.append(#"{"id":"ssi-\#(ambassador)-\#(date)","type":"ssi.snapshot","occurred_at":"\#(date)T10:00:00Z","data":{"ambassador_id":"\#(ambassador)","date":"\#(date)","brand":\#(pillar),"people":\#(pillar),"insights":\#(pillar),"relationships":\#(pillar)}}"#)
        }
        return lines.joined(separator: "\n")
    }

    func create(_ client: any TestClientProtocol, _ app: TestApp, _ body: String) async throws -> (HTTPResponse.Status, [String: Any]) {
        try await client.execute(uri: "/v1/ssi/challenges", method: .post, headers: app.headers, body: ByteBuffer(string: body)) {
            ($0.status, $0.json)
        }
    }

    func standings(_ rows: Any?) -> [String] {
        ((rows as? [[String: Any]]) ?? []).map { row in
            let values = ["rank", "ambassador_id", "start_score", "current_score", "gain", "reached"].map { "\(row[$0] ?? "-")" }
            return values.joined(separator: " ")
        }
    }

    @Test("a gain challenge of one team and a score challenge of everyone rank from the snapshots, by hand")
    func standings() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            try await client.execute(uri: "/v1/events", method: .post, headers: app.ndjsonHeaders, body: ByteBuffer(string: Self.events)) {
                #expect($0.status == .ok)
            }
            let (status, gain) = try await create(client, app, #"""
                {"name": "5 points by the end of the month", "teams": ["Sales"], "starts_on": "2026-03-01", "ends_on": "2026-03-31", "target_gain": 5}
                """#)
            #expect(status == .created)
            let gainID = try #require(gain["challenge_id"] as? String)
            // After the end, the scores are read at the end: s1 40 -> 46 and s3 30 (first, 03-05) -> 36 gain 6; s2 60 -> 63.
            try await client.execute(uri: "/v1/ssi/challenges/\(gainID)?date=2026-04-10", method: .get, headers: app.headers) { response in
                #expect(response.status == .ok)
                let json = response.json
                #expect(json["as_of"] as? String == "2026-03-31")
                #expect(json["participants"] as? Int == 3)
                #expect(json["reached"] as? Int == 2)
                #expect(standings(json["standings"]) == ["1 s1 40 46 6 1", "1 s3 30 36 6 1", "3 s2 60 63 3 0"])
                let teams = json["teams"] as? [[String: Any]] ?? []
                #expect(teams.count == 1)
                // (40 + 60 + 30) / 3, (46 + 63 + 36) / 3, (6 + 3 + 6) / 3
                #expect((teams.first?["average_start"] as? NSNumber)?.doubleValue == 43.33)
                #expect((teams.first?["average_current"] as? NSNumber)?.doubleValue == 48.33)
                #expect((teams.first?["average_gain"] as? NSNumber)?.doubleValue == 5)
                #expect(teams.first?["reached"] as? Int == 2)
            }
            // Midway: s1 44 (gain 4), s2 still 60, s3 30 (its only snapshot so far).
            try await client.execute(uri: "/v1/ssi/challenges/\(gainID)?date=2026-03-16", method: .get, headers: app.headers) { response in
                #expect(standings(response.json["standings"]) == ["1 s1 40 44 4 0", "2 s2 60 60 0 0", "2 s3 30 30 0 0"])
            }
            let (_, score) = try await create(client, app, #"""
                {"name": "50 by the end of March", "starts_on": "2026-03-01", "ends_on": "2026-03-31", "target_score": 50}
                """#)
            let scoreID = try #require(score["challenge_id"] as? String)
            #expect(score["teams"] is NSNull)
            try await client.execute(uri: "/v1/ssi/challenges/\(scoreID)?date=2026-03-31", method: .get, headers: app.headers) { response in
                #expect(standings(response.json["standings"]) == ["1 m1 50 70 20 1", "2 s2 60 63 3 1", "3 s1 40 46 6 0", "4 s3 30 36 6 0"])
                #expect(response.json["reached"] as? Int == 2)
            }
            try await client.execute(uri: "/v1/ssi/challenges", method: .get, headers: app.headers) { response in
                let listed = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [[String: Any]] ?? []
                #expect(Set(listed.compactMap { $0["challenge_id"] as? String }) == [gainID, scoreID])
            }
            try await client.execute(uri: "/v1/ssi/challenges/\(UUID().uuidString)", method: .get, headers: app.headers) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/v1/audit", method: .get, headers: app.headers) { response in
                #expect(String(buffer: response.body).contains("ssi_challenge.created"))
            }
        }
    }

    @Test("a challenge ending before it starts is a 422 naming ends_on")
    func endsBeforeStart() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let (status, json) = try await create(client, app, #"{"name": "x", "starts_on": "2026-03-31", "ends_on": "2026-03-01", "target_gain": 5}"#)
            #expect(status == .unprocessableContent)
            #expect((json["error"] as? [String: Any])?["parameter"] as? String == "ends_on")
        }
    }

    @Test("a challenge that cannot be is a 400 naming the field", arguments: [
        (#"{"name": "x", "starts_on": "2026-03-01", "ends_on": "2026-03-31", "target_gain": 5, "colour": "red"}"#, "colour"),
        (#"{"name": "x", "starts_on": "2026-03-01", "ends_on": "2026-03-31", "target_gain": 0.001}"#, "target_gain"),
        (#"{"name": "x", "starts_on": "2026-03-01", "ends_on": "2026-03-31", "target_gain": null}"#, "target_gain"),
        (#"{"name": "x", "starts_on": "2026-03-01", "ends_on": "2026-03-31", "target_gain": 5, "target_score": 50}"#, "target_gain"),
        (#"{"name": "x", "starts_on": "2026-03-01", "ends_on": "2026-03-31"}"#, "target_gain"),
        (#"{"name": "x", "starts_on": "2026-03-01", "ends_on": "2026-03-31", "target_score": 101}"#, "target_score"),
        (#"{"name": "", "starts_on": "2026-03-01", "ends_on": "2026-03-31", "target_gain": 5}"#, "name"),
        (#"{"name": "x", "teams": [], "starts_on": "2026-03-01", "ends_on": "2026-03-31", "target_gain": 5}"#, "teams"),
        (#"{"name": "x", "starts_on": "2026-02-30", "ends_on": "2026-03-31", "target_gain": 5}"#, "starts_on"),
    ])
    func refused(body: String, field: String) async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let (status, json) = try await create(client, app, body)
            #expect(status == .badRequest)
            #expect((json["error"] as? [String: Any])?["parameter"] as? String == field)
        }
    }

    @Test("the monthly sheet: a row per ambassador, a column per month with that month's latest score, and the change")
    func monthly() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            try await client.execute(uri: "/v1/events", method: .post, headers: app.ndjsonHeaders, body: ByteBuffer(string: Self.events)) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/v1/ssi/monthly?from=2026-02-01&to=2026-03-31&format=csv", method: .get, headers: app.headers) { response in
                #expect(response.status == .ok)
                let lines = String(buffer: response.body).dropFirst().components(separatedBy: "\r\n").filter { !$0.isEmpty }
                #expect(lines == [
                    #""ambassador_id","team","2026-02","2026-03","change""#,
                    #""m1","Marketing","50","70","20""#,
                    #""s1","Sales","40","46","6""#,
                    #""s2","Sales","60","63","3""#,
                    #""s3","Sales","","36","""#,
                ])
            }
            try await client.execute(uri: "/v1/ssi/monthly?from=2026-03-01&to=2026-03-31&team=Marketing", method: .get, headers: app.headers) { response in
                let rows = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [[String: Any]] ?? []
                #expect(rows.map { "\($0["ambassador_id"] ?? "") \($0["month"] ?? "") \($0["total_score"] ?? "")" } == ["m1 2026-03-01 70"])
            }
        }
    }
}
