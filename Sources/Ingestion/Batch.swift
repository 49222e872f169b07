/// The limits on one request, documented in docs/ingestion.md and configurable at start-up.
public struct IngestionLimits: Sendable {
    public var maxBodyBytes: Int
    public var maxEvents: Int
    public var maxEventBytes: Int

    public init(maxBodyBytes: Int = 10 << 20, maxEvents: Int = 10_000, maxEventBytes: Int = 32 << 10) {
        self.maxBodyBytes = maxBodyBytes
        self.maxEvents = maxEvents
        self.maxEventBytes = maxEventBytes
    }
}

public enum BatchFormat: Sendable {
    /// A JSON array of events (a single object is taken as a batch of one).
    case json
    /// One event per line (`application/x-ndjson`); blank lines are skipped.
    case ndjson
}

/// One item of a batch: its exact bytes, and either its parsed JSON or why it could not be parsed.
public struct RawItem: Sendable {
    public let index: Int
    /// A slice of the request's body (no copy per item: the bytes are only read for a refused item).
    public let raw: ArraySlice<UInt8>
    public let parsed: Result<JSONValue, Rejection>
    /// Where the item came from when a batch is not one request, e.g. `leads.csv:42` (kept with a refusal).
    public let label: String?

    public init(index: Int, raw: ArraySlice<UInt8>, parsed: Result<JSONValue, Rejection>, label: String? = nil) {
        self.index = index
        self.raw = raw
        self.parsed = parsed
        self.label = label
    }
}

/// Why a whole request is refused (400 or 413): nothing of it was stored.
public enum BatchError: Error, Sendable, CustomStringConvertible {
    case malformed(JSONSyntaxError)
    case notABatch(String)
    case tooManyEvents(limit: Int)
    case eventTooLarge(index: Int, bytes: Int, limit: Int)

    public var description: String {
        switch self {
        case .malformed(let error): "the body is not valid JSON: \(error)"
        case .notABatch(let message): message
        case .tooManyEvents(let limit): "more than \(limit) events in one request (limit: max_events_per_request)"
        case .eventTooLarge(let index, let bytes, let limit):
            "event \(index) is \(bytes) bytes, above the \(limit)-byte limit (limit: max_event_bytes)"
        }
    }
}

/// Splits a request body into items without letting one bad item spoil the others where the format allows:
/// every NDJSON line stands alone; in a JSON array, an item with invalid UTF-8 is refused alone, while a
/// syntax error leaves no reliable item boundaries and refuses the request with the error's position.
public enum BatchParser {
    public static func parse(_ body: [UInt8], format: BatchFormat, limits: IngestionLimits) throws(BatchError) -> [RawItem] {
        switch format {
        case .json: try parseArray(body, limits: limits)
        case .ndjson: try parseLines(body, limits: limits)
        }
    }

    private static func parseArray(_ body: [UInt8], limits: IngestionLimits) throws(BatchError) -> [RawItem] {
        let outcome: Result<[RawItem], BatchError> = body.withUnsafeBytes { buffer in
            var parser = JSONParser(bytes: buffer)
            do {
                var items: [RawItem] = []
                func item(from start: Int, _ value: JSONValue, parser: inout JSONParser) throws(BatchError) {
                    let raw = body[start..<parser.index]
                    guard raw.count <= limits.maxEventBytes else {
                        throw .eventTooLarge(index: items.count, bytes: raw.count, limit: limits.maxEventBytes)
                    }
                    guard items.count < limits.maxEvents else { throw .tooManyEvents(limit: limits.maxEvents) }
                    let parsed: Result<JSONValue, Rejection> =
                        if let offset = parser.invalidUTF8Offset {
                            .failure(Rejection(.invalidUTF8, field: nil, "invalid UTF-8 in a string at byte \(offset - start) of the item"))
                        } else {
                            .success(value)
                        }
                    parser.invalidUTF8Offset = nil
                    items.append(RawItem(index: items.count, raw: raw, parsed: parsed))
                }
                switch parser.peek() {
                case UInt8(ascii: "[")?:
                    try parser.expect("[")
                    if parser.peek() == UInt8(ascii: "]") {
                        try parser.expect("]")
                    } else {
                        while true {
                            _ = parser.peek()
                            let start = parser.index
                            let value = try parser.parseValue()
                            try item(from: start, value, parser: &parser)
                            if parser.peek() == UInt8(ascii: ",") {
                                try parser.expect(",")
                                continue
                            }
                            try parser.expect("]")
                            break
                        }
                    }
                case UInt8(ascii: "{")?:
                    let start = parser.index
                    let value = try parser.parseValue()
                    try item(from: start, value, parser: &parser)
                case nil:
                    throw BatchError.notABatch("the body is empty: send a JSON array of events")
                default:
                    throw BatchError.notABatch("the body must be a JSON array of events (or NDJSON with Content-Type application/x-ndjson)")
                }
                if parser.peek() != nil { throw parser.error("unexpected text after the end of the batch") }
                return .success(items)
            } catch let error as JSONSyntaxError {
                return .failure(.malformed(error))
            } catch let error as BatchError {
                return .failure(error)
            } catch {
                return .failure(.notABatch("\(error)"))
            }
        }
        return try outcome.get()
    }

    private static func parseLines(_ body: [UInt8], limits: IngestionLimits) throws(BatchError) -> [RawItem] {
        var items: [RawItem] = []
        var lineNumber = 0
        var start = 0
        while start < body.count {
            let end = body[start...].firstIndex(of: 0x0A) ?? body.count
            lineNumber += 1
            defer { start = end + 1 }
            var line = body[start..<end]
            if line.last == 0x0D { line = line.dropLast() }
            guard line.contains(where: { ![0x20, 0x09].contains($0) }) else { continue }
            guard line.count <= limits.maxEventBytes else {
                throw .eventTooLarge(index: items.count, bytes: line.count, limit: limits.maxEventBytes)
            }
            guard items.count < limits.maxEvents else { throw .tooManyEvents(limit: limits.maxEvents) }
            let raw = line
            let parsed: Result<JSONValue, Rejection> = raw.withUnsafeBytes { buffer in
                var parser = JSONParser(bytes: buffer)
                do {
                    let value = try parser.parseValue()
                    if parser.peek() != nil { throw parser.error("unexpected text after the event") }
                    if let offset = parser.invalidUTF8Offset {
                        return .failure(Rejection(.invalidUTF8, field: nil, "invalid UTF-8 in a string at byte \(offset) of line \(lineNumber)"))
                    }
                    return .success(value)
                } catch let error as JSONSyntaxError {
                    return .failure(Rejection(.malformedJSON, field: nil, "line \(lineNumber): \(error.message) at column \(error.column)"))
                } catch {
                    return .failure(Rejection(.malformedJSON, field: nil, "line \(lineNumber): \(error)"))
                }
            }
            items.append(RawItem(index: items.count, raw: raw, parsed: parsed))
        }
        return items
    }
}
