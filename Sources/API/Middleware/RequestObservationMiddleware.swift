import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import Synchronization

/// What inner middleware learns about a request that the outermost one reports: the organisation, once a key
/// or session names it. A reference: request contexts are values, copied on the way in.
public final class RequestObservation: Sendable {
    private let organizationID = Mutex<UUID?>(nil)

    public var organization: UUID? {
        get { organizationID.withLock { $0 } }
        set { organizationID.withLock { $0 = newValue } }
    }

    init() {}
}

/// The outermost middleware: gives each request an id (the caller's `X-Request-Id` when it is a sensible one,
/// else a new one), puts it on every log line of the request and in the answer, and once the answer is ready
/// (its head; bodies are built before they are sent, so that is when the work is done), counts it (`http_requests_total`, `http_request_duration_seconds`, by route pattern, method and
/// status) and logs one line with the route, status, duration and organisation.
///
/// Logged and labelled: the route pattern (`/v1/events/rejected/{rejection_id}`), never the path or the query,
/// which may name people; never a header.
struct RequestObservationMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    static let requestIDHeader = HTTPField.Name("X-Request-Id")
    let metrics = HTTPMetrics()
    static let knownMethods: Set<HTTPRequest.Method> = [.get, .head, .post, .put, .patch, .delete, .options, .trace, .connect]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let requestID = Self.requestIDHeader.flatMap { request.headers[$0] }.flatMap(Self.acceptable) ?? Self.newRequestID()
        var context = context
        context.logger[metadataKey: "hb.request.id"] = nil
        context.logger[metadataKey: "request_id"] = .string(requestID)
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        if let header = Self.requestIDHeader { response.headers[header] = requestID }
        let elapsed = ContinuousClock.now - start
        let route = context.endpointPath ?? "NotFound"  // as the router names it
        let method = Self.knownMethods.contains(request.method) ? request.method.rawValue : "other"
        metrics.of(route: route, method: method, status: response.status.code).record(elapsed)
        var metadata: Logger.Metadata = [
            "method": .string(method),
            "route": .string(route),
            "status": .stringConvertible(Int(response.status.code)),
            "duration_ms": .stringConvertible((elapsed.inMilliseconds * 1000).rounded() / 1000),
        ]
        if let organization = context.observation.organization {
            metadata["organization_id"] = .string(organization.uuidString.lowercased())
        }
        context.logger.info("request", metadata: metadata)
        return response
    }

    /// A caller's request id is kept when it is 1 to 128 printable characters without spaces or quotes (ids
    /// of proxies and tracing systems are); anything else is replaced, so the logs hold no one's payload.
    static func acceptable(_ value: String) -> String? {
        guard (1...128).contains(value.utf8.count),
              value.utf8.allSatisfy({ (0x21...0x7E).contains($0) && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") })
        else { return nil }
        return value
    }

    static func newRequestID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let value = generator.next() as UInt64
            let hex = String(value, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}

/// `http_requests_total` and `http_request_duration_seconds` of each route, method and status, made once
/// each: a request only looks them up.
final class HTTPMetrics: Sendable {
    struct Key: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    struct Series: Sendable {
        let requests: Counter
        let duration: Metrics.Timer

        func record(_ elapsed: Duration) {
            requests.increment()
            duration.record(duration: elapsed)
        }
    }

    private let series = Mutex<[Key: Series]>([:])

    func of(route: String, method: String, status: Int) -> Series {
        let key = Key(route: route, method: method, status: status)
        return series.withLock { series in
            if let known = series[key] { return known }
            let labels = [("route", route), ("method", method), ("status", String(status))]
            let made = Series(
                requests: Counter(label: "http_requests_total", dimensions: labels),
                duration: Metrics.Timer(label: "http_request_duration_seconds", dimensions: labels)
            )
            series[key] = made
            return made
        }
    }
}

extension Duration {
    var inMilliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
