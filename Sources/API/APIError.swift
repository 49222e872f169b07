import Foundation
import Hummingbird

/// An error a client can act on: an HTTP status, a stable code, a message, and details such as the
/// parameter or the position at fault. Its body is `{"error": {"code": ..., "message": ..., ...}}`.
struct APIError: HTTPResponseError {
    let status: HTTPResponse.Status
    let code: String
    let message: String
    var details: [String: String] = [:]
    var headers: HTTPFields = [:]

    static func badParameter(_ name: String, _ message: String) -> APIError {
        APIError(status: .badRequest, code: "invalid_parameter", message: message, details: ["parameter": name])
    }

    /// Parameters each well formed that together cannot be answered (`to` before `from`, a filter the series
    /// does not take): 422, apart from the 400 of a malformed request.
    static func inconsistent(_ name: String, _ message: String) -> APIError {
        APIError(status: .unprocessableContent, code: "inconsistent_parameters", message: message, details: ["parameter": name])
    }

    /// The database cannot be reached or is restarting: worth retrying in a few seconds.
    static let databaseUnavailable = APIError(
        status: .serviceUnavailable, code: "database_unavailable", message: "the database is unavailable; retry later",
        headers: [.retryAfter: "5"]
    )

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var error: [String: String] = details
        error["code"] = code
        error["message"] = message
        let body = try JSONEncoder.api.encode(["error": error])
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension JSONEncoder {
    /// Sorted keys and ISO 8601 dates: stable, readable answers.
    static let api: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()
}

extension Response {
    /// A 200 with a JSON body written by hand (the batch answer of `POST /v1/events`, where it pays).
    static func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A 200 with `value` as JSON: the one place typed answers are encoded.
    static func encoded(_ value: some Encodable) throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder.api.encode(value)))
        )
    }
}
