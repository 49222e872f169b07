/// A parsed JSON value. Numbers keep their text, so `21.09` reaches PostgreSQL's numeric as written,
/// never through a binary float.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// A JSON object's members in the order written. Events have a handful of keys: a look-up by scanning a short
/// list costs less than hashing every key into a dictionary, and ingestion builds two objects per event.
/// Equal when they hold the same members, in any order.
public struct JSONObject: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    public private(set) var members: [(key: String, value: JSONValue)] = []

    public init() {}

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        for (key, value) in elements { self[key] = value }
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }

    /// The value of `key`; setting replaces it where it is, or adds it at the end.
    public subscript(key: String) -> JSONValue? {
        get { members.first { $0.key == key }?.value }
        set {
            let position = members.firstIndex { $0.key == key }
            switch (position, newValue) {
            case let (position?, value?): members[position].value = value
            case let (position?, nil): members.remove(at: position)
            case let (nil, value?): members.append((key, value))
            case (nil, nil): break
            }
        }
    }

    /// Adds a member the caller knows to be new (the parser checks duplicates itself).
    mutating func append(_ key: String, _ value: JSONValue) { members.append((key, value)) }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.count == rhs.count && lhs.members.allSatisfy { rhs[$0.key] == $0.value }
    }
}

/// Where and why a JSON text could not be parsed.
public struct JSONSyntaxError: Error, Sendable, CustomStringConvertible {
    public let message: String
    /// Byte offset from the start of the parsed text, and the 1-based line and column there.
    public let offset: Int
    public let line: Int
    public let column: Int

    public var description: String { "\(message) at line \(line), column \(column) (byte \(offset))" }
}

/// A small, strict JSON parser (RFC 8259) over bytes: it reports the exact position of an error, refuses
/// duplicate keys (which would make a fact ambiguous), and notes invalid UTF-8 without losing its place,
/// so one bad item in an array can be refused alone.
struct JSONParser {
    private let bytes: UnsafeRawBufferPointer
    private(set) var index: Int
    private let end: Int
    private var depth = 0
    /// The offset of the first invalid UTF-8 sequence met in a string since the last reset, if any.
    var invalidUTF8Offset: Int?

    static let maximumDepth = 64

    init(bytes: UnsafeRawBufferPointer, start: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.index = start
        self.end = end ?? bytes.count
    }

    var isAtEnd: Bool { index >= end }

    func error(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
        let position = min(offset ?? index, end)
        var line = 1
        var lineStart = 0
        for i in 0..<position where bytes[i] == UInt8(ascii: "\n") {
            line += 1
            lineStart = i + 1
        }
        return JSONSyntaxError(message: message, offset: position, line: line, column: position - lineStart + 1)
    }

    mutating func skipWhitespace() {
        while index < end {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// The next byte after whitespace, without consuming it.
    mutating func peek() -> UInt8? {
        skipWhitespace()
        return index < end ? bytes[index] : nil
    }

    mutating func expect(_ ascii: Unicode.Scalar) throws {
        guard peek() == UInt8(ascii: ascii) else {
            throw error(isAtEnd ? "unexpected end of input, expected '\(ascii)'" : "expected '\(ascii)'")
        }
        index += 1
    }

    mutating func parseValue() throws -> JSONValue {
        guard let byte = peek() else { throw error("unexpected end of input, expected a value") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try parseLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character '\(Unicode.Scalar(byte))', expected a value")
        }
    }

    private mutating func parseLiteral(_ word: String, _ value: JSONValue) throws -> JSONValue {
        for expected in word.utf8 {
            guard index < end, bytes[index] == expected else { throw error("invalid literal, expected \(word)") }
            index += 1
        }
        return value
    }

    private mutating func nest() throws {
        depth += 1
        if depth > Self.maximumDepth { throw error("nested more than \(Self.maximumDepth) levels deep") }
    }

    private mutating func parseObject() throws -> JSONValue {
        try nest()
        defer { depth -= 1 }
        index += 1
        var members = JSONObject()
        // Keys seen, once an object is too large for a scan of its keys to stay cheap.
        var manyKeys: Set<String>?
        if peek() == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            guard peek() == UInt8(ascii: "\"") else { throw error("expected a key in double quotes") }
            let keyOffset = index
            let key = try parseString()
            try expect(":")
            let value = try parseValue()
            let duplicate: Bool
            if manyKeys != nil {
                duplicate = manyKeys?.insert(key).inserted == false
            } else {
                duplicate = members.members.contains { $0.key == key }
                if members.count == 16 { manyKeys = Set(members.keys + [key]) }
            }
            guard !duplicate else { throw error("duplicate key \"\(key)\"", at: keyOffset) }
            members.append(key, value)
            guard let next = peek() else { throw error("unexpected end of input in an object") }
            index += 1
            if next == UInt8(ascii: "}") { return .object(members) }
            guard next == UInt8(ascii: ",") else { throw error("expected ',' or '}'", at: index - 1) }
        }
    }

    private mutating func parseArray() throws -> JSONValue {
        try nest()
        defer { depth -= 1 }
        index += 1
        var elements: [JSONValue] = []
        if peek() == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue())
            guard let next = peek() else { throw error("unexpected end of input in an array") }
            index += 1
            if next == UInt8(ascii: "]") { return .array(elements) }
            guard next == UInt8(ascii: ",") else { throw error("expected ',' or ']'", at: index - 1) }
        }
    }

    private mutating func parseNumber() throws -> JSONValue {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        func digits() -> Int {
            let from = index
            while index < end, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
            return index - from
        }
        let integerStart = index
        let integerDigits = digits()
        guard integerDigits > 0 else { throw error("invalid number: expected a digit") }
        if integerDigits > 1, bytes[integerStart] == 0x30 { throw error("invalid number: leading zero", at: integerStart) }
        if index < end, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw error("invalid number: expected a digit after '.'") }
        }
        if index < end, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < end, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw error("invalid number: expected an exponent") }
        }
        return .number(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
    }

    private mutating func parseString() throws -> String {
        let quote = index
        index += 1
        var scratch: [UInt8] = []
        var runStart = index
        var ascii = true
        while true {
            guard index < end else { throw error("unterminated string", at: quote) }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let run = UnsafeRawBufferPointer(rebasing: bytes[runStart..<index])
                index += 1
                // Plain ASCII is valid UTF-8 as it is: only other strings are validated.
                if scratch.isEmpty { return ascii ? String(decoding: run, as: UTF8.self) : makeString(run, offset: runStart) }
                scratch.append(contentsOf: run)
                return makeString(scratch, offset: runStart)
            }
            if byte >= 0x80 { ascii = false }
            if byte < 0x20 { throw error("control character in a string (escape it)") }
            if byte == UInt8(ascii: "\\") {
                scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<index]))
                index += 1
                guard index < end else { throw error("unterminated escape") }
                let escaped = bytes[index]
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(escaped)
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "u"): try appendUnicodeEscape(to: &scratch)
                default: throw error("invalid escape '\\\(Unicode.Scalar(escaped))'", at: index - 2)
                }
                runStart = index
                continue
            }
            index += 1
        }
    }

    private mutating func hex4() throws -> UInt32 {
        guard index + 4 <= end else { throw error("incomplete \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x41...0x46: digit = byte - 0x41 + 10
            case 0x61...0x66: digit = byte - 0x61 + 10
            default: throw error("invalid hex digit in \\u escape")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private mutating func appendUnicodeEscape(to scratch: inout [UInt8]) throws {
        var scalar = try hex4()
        if (0xD800..<0xDC00).contains(scalar) {
            guard index + 2 <= end, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw error("unpaired surrogate in \\u escape")
            }
            index += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw error("invalid low surrogate in \\u escape") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00..<0xE000).contains(scalar) {
            throw error("unpaired surrogate in \\u escape")
        }
        guard scalar != 0, let unicode = Unicode.Scalar(scalar) else {
            throw error("\\u0000 is not allowed (PostgreSQL text cannot hold it)")
        }
        scratch.append(contentsOf: String(Character(unicode)).utf8)
    }

    private mutating func makeString(_ raw: some Collection<UInt8>, offset: Int) -> String {
        if let valid = String(validating: raw, as: UTF8.self) { return valid }
        if invalidUTF8Offset == nil { invalidUTF8Offset = offset }
        return String(decoding: raw, as: UTF8.self)
    }
}
