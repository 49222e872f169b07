import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@testable import API

/// The refusals the OpenAPI document lists for every route (the rest of the contract is Deploy/api-check's).
@Suite("API contract")
struct ContractTests {
    @Test("a method a path does not serve is 405 with Allow; an unknown path stays 404")
    func methodNotAllowed() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            try await client.execute(uri: "/v1/keys", method: .put, headers: app.headers) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET, POST")
                #expect(response.error["code"] as? String == "method_not_allowed")
            }
            try await client.execute(uri: "/v1/keys/\(UUID().uuidString)", method: .get, headers: app.headers) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "DELETE")
            }
            try await client.execute(uri: "/v1/nothing", method: .get, headers: app.headers) { response in
                #expect(response.status == .notFound)
                #expect(response.error["code"] as? String == "not_found")
            }
        }
    }

    @Test("a JSON body is read as its schema says: another type 415, an unknown field or a null 400 naming it", arguments: [
        ("text/plain", #"{"target_score": 75, "target_date": "2026-12-24"}"#, HTTPResponse.Status.unsupportedMediaType, nil as String?),
        ("application/json", #"{"target_score": 75, "target_date": "2026-12-24", "colour": "red"}"#, .badRequest, "colour"),
        ("application/json", #"{"target_score": null, "target_date": "2026-12-24"}"#, .badRequest, "target_score"),
        ("application/json", #"{"target_score": "75", "target_date": "2026-12-24"}"#, .badRequest, "target_score"),
        ("application/json", #"[75]"#, .badRequest, nil),
        ("application/json", #"{"target_score": 75, "target_date": "2026-12-24"}"#, .noContent, nil),
    ])
    func strictBodies(contentType: String, body: String, status: HTTPResponse.Status, field: String?) async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            var headers = app.headers
            headers[.contentType] = contentType
            try await client.execute(uri: "/v1/ssi/goals/a1", method: .put, headers: headers, body: ByteBuffer(string: body)) { response in
                #expect(response.status == status)
                if let field { #expect(response.error["parameter"] as? String == field) }
            }
        }
    }

    @Test("a key cannot revoke itself (409); another admin key can")
    func ownKey() async throws {
        let app = try await TestApp.make()
        let other = try app.key([.admin])
        try await app.test { client in
            let keys = try await client.execute(uri: "/v1/keys", method: .get, headers: app.headers) { response in
                (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [[String: Any]] ?? []
            }
            let keyID = try #require(keys.first { $0["name"] as? String == "tests" }?["key_id"] as? String)
            try await client.execute(uri: "/v1/keys/\(keyID)", method: .delete, headers: app.headers) { response in
                #expect(response.status == .conflict)
                #expect(response.error["code"] as? String == "own_key")
            }
            try await client.execute(uri: "/v1/keys/\(keyID)", method: .delete, headers: app.headers(key: other)) { response in
                #expect(response.status == .noContent)
            }
        }
    }

    @Test("a bracketed query parameter (an object or a list where one value goes) is a 400 naming the parameter")
    func bracketedQuery() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            try await client.execute(uri: "/v1/kpis?period=last_7_days&to%5Byear%5D=2026", method: .get, headers: app.headers) { response in
                #expect(response.status == .badRequest)
                #expect(response.error["parameter"] as? String == "to")
            }
        }
    }

    @Test("a NUL in a query parameter is a 400, not a database error")
    func nulInQuery() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            try await client.execute(uri: "/v1/leaderboards/ambassadors?period=last_7_days&team=a%00b", method: .get, headers: app.headers) { response in
                #expect(response.status == .badRequest)
            }
        }
    }
}
