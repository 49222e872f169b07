import AdvocacyClient
import Foundation
import HTTPTypes
import OpenAPIRuntime
import OpenAPIURLSession

/// Sends a post, its metrics and a lead through the generated client, twice: the first time each event is
/// accepted, the second each is a duplicate (the ids make ingestion exactly once); then reads the KPIs.
///
///     ADVOCACY_URL=http://127.0.0.1:8080 ADVOCACY_KEY=adv_... swift run IngestionExample
@main
struct IngestionExample {
    static func main() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["ADVOCACY_URL"].flatMap(URL.init(string:)), let key = environment["ADVOCACY_KEY"] else {
            print("set ADVOCACY_URL and ADVOCACY_KEY (a key with the ingest and marketing scopes)")
            exit(2)
        }
        let client = Client(serverURL: url, transport: URLSessionTransport(), middlewares: [BearerToken(key: key)])
        let events = sampleEvents(run: String(UUID().uuidString.prefix(8)).lowercased())

        let first = try await ingest(events, with: client)
        print("first send: \(first.accepted) accepted, \(first.duplicate) duplicate, \(first.rejected) rejected")
        for item in first.items where item.status == .rejected {
            print("  event \(item.index) refused: \(item.reason?.rawValue ?? "?") \(item.field ?? "") \(item.message ?? "")")
        }
        let second = try await ingest(events, with: client)
        print("second send: \(second.accepted) accepted, \(second.duplicate) duplicate, \(second.rejected) rejected")

        let kpis = try await client.kpis(query: .init(periodSelection: .case1(.init(period: .last30Days)))).ok.body.json
        let posts = kpis.kpis.first { $0.key == "posts" }?.value
        print("posts in the last 30 days: \(posts.map { String($0) } ?? "none")")

        guard first.accepted == events.count, second.duplicate == events.count else {
            print("unexpected outcomes: every event accepted once, then a duplicate")
            exit(1)
        }
    }

    /// One batch; a 503 (the database restarting) is retried after Retry-After, the same batch: it is idempotent.
    static func ingest(_ events: [Components.Schemas.Event], with client: Client) async throws -> Components.Schemas.IngestResult {
        for attempt in 1...5 {
            switch try await client.ingestEvents(body: .json(events)) {
            case .ok(let answer):
                return try answer.body.json
            case .serviceUnavailable where attempt < 5:
                try await Task.sleep(for: .seconds(5))
            case let other:
                throw ExampleError("the batch was refused: \(other)")
            }
        }
        throw ExampleError("the service stayed unavailable")
    }

    static func sampleEvents(run: String) -> [Components.Schemas.Event] {
        let now = Date()
        let post = "example-\(run)"
        return [
            .post_published(.init(
                id: "\(post)-published", _type: .post_published, occurredAt: now,
                data: .init(postId: post, ambassadorId: "amb-00001", network: .linkedin, postedAt: now)
            )),
            .post_metricsObserved(.init(
                id: "\(post)-metrics-1", _type: .post_metricsObserved, occurredAt: now,
                data: .init(postId: post, impressions: 1200, membersReached: 900, reactions: 40, comments: 6, reshares: 3, clicks: 25)
            )),
            .lead_created(.init(
                id: "\(post)-lead", _type: .lead_created, occurredAt: now,
                data: .init(
                    leadId: "lead-\(run)", sourceChannel: .employeeAdvocacy, ambassadorId: "amb-00001", postId: post,
                    estimatedValue: .case2("1500.00"), currency: "EUR"
                )
            )),
        ]
    }
}

/// Adds the API key to every request.
struct BearerToken: ClientMiddleware {
    let key: String

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        request.headerFields[.authorization] = "Bearer \(key)"
        return try await next(request, body, baseURL)
    }
}

struct ExampleError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
