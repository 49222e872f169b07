import Foundation
import Hummingbird
import Ingestion

/// A JSON object a client sends, with the fields it may have (its OpenAPI schema says `additionalProperties: false`).
protocol JSONBodyFields: Decodable {
    static var fields: Set<String> { get }
}

/// Reads a request's JSON object body strictly, as its schema in the OpenAPI document describes it: another
/// content type is 415, a body over 1 MiB 413, and a body that is not an object, a field the body does not
/// have, a null where a value must be given, or a value of the wrong type 400 naming the field and showing
/// `example`.
enum JSONBody {
    static let maximumBytes = 1 << 20

    static func decode<Body: JSONBodyFields>(_ type: Body.Type, from request: Request, example: String) async throws -> Body {
        if let contentType = request.headers[.contentType]?.lowercased(),
            !(contentType.hasPrefix("application/json") || contentType.contains("+json"))
        {
            throw APIError(status: .unsupportedMediaType, code: "unsupported_media_type", message: "send application/json, not \(contentType)")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maximumBytes)
        } catch {
            throw APIError(status: .contentTooLarge, code: "body_too_large", message: "the body is over \(maximumBytes) bytes",
                           details: ["limit": "\(maximumBytes)"])
        }
        let data = Data(buffer: buffer)
        func refused(_ field: String?, _ message: String) -> APIError {
            var error = APIError(status: .badRequest, code: "invalid_body", message: "\(message); send \(example)")
            if let field { error.details["parameter"] = field }
            return error
        }
        guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as? [String: Any] else {
            throw refused(nil, "the body is not a JSON object")
        }
        if let unknown = object.keys.sorted().first(where: { !Body.fields.contains($0) }) {
            throw refused(unknown, "\(unknown) is not a field of this body (fields: \(Body.fields.sorted().joined(separator: ", ")))")
        }
        if let null = object.keys.sorted().first(where: { object[$0] is NSNull }) {
            throw refused(null, "\(null) must be left out rather than null")
        }
        do {
            return try JSONDecoder.api.decode(Body.self, from: data)
        } catch let error as DecodingError {
            let field = error.field
            throw refused(field, field.map { "\($0) is missing or of the wrong type" } ?? "the body does not decode")
        }
    }
}

extension DecodingError {
    /// The dotted path of the field at fault, when there is one.
    var field: String? {
        let path: [any CodingKey]
        switch self {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): path = context.codingPath
        case .keyNotFound(let key, let context): path = context.codingPath + [key]
        @unknown default: return nil
        }
        return path.isEmpty ? nil : path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}

extension JSONDecoder {
    /// RFC 3339 timestamps with an offset, fractions of a second allowed (`format: date-time`).
    static let api: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamps.parseRFC3339(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 timestamp: \(text)")
            }
            return date
        }
        return decoder
    }()
}
