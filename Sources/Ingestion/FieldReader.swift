import Foundation

/// Reads the fields of one JSON object with the checks the schema needs, naming the field path in every
/// rejection; `finish()` refuses any field that was not read (a typo must not pass silently).
struct FieldReader {
    let object: JSONObject
    let path: String
    /// The members read, by position: a bit each for the first 64 (an event has a dozen at most), a set
    /// past them. No list of keys to allocate and search per object.
    private var readMask: UInt64 = 0
    private var readBeyond: Set<Int> = []

    init(_ object: JSONObject, path: String) {
        self.object = object
        self.path = path
    }

    func field(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The value of `key` if present and not null.
    private mutating func value(_ key: String) -> JSONValue? {
        guard let position = object.members.firstIndex(where: { $0.key == key }) else { return nil }
        if position < 64 { readMask |= 1 << UInt64(position) } else { readBeyond.insert(position) }
        if case .null = object.members[position].value { return nil }
        return object.members[position].value
    }

    private func wasRead(_ position: Int) -> Bool {
        position < 64 ? readMask & (1 << UInt64(position)) != 0 : readBeyond.contains(position)
    }

    /// Whether the object has `key` at all, even as null.
    func has(_ key: String) -> Bool { object[key] != nil }

    mutating func required<T>(_ key: String, _ read: (inout FieldReader, String) throws(Rejection) -> T?) throws(Rejection) -> T {
        guard let value = try read(&self, key) else {
            throw Rejection(.missingField, field: field(key), "\(field(key)) is required")
        }
        return value
    }

    /// A string as sent, at most `maxLength` characters (Unicode scalars, as JSON Schema's `maxLength` counts
    /// them) and without NUL, which PostgreSQL text cannot hold.
    mutating func rawString(_ key: String, maxLength: Int) throws(Rejection) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else {
            throw Rejection(.wrongType, field: field(key), "\(field(key)) must be a string, not \(value.typeName)")
        }
        // Counting scalars walks the string: no need when the bytes are few enough.
        guard text.utf8.count <= maxLength || text.unicodeScalars.count <= maxLength else {
            throw Rejection(.outOfRange, field: field(key), "\(field(key)) is longer than \(maxLength) characters")
        }
        guard !text.utf8.contains(0) else { throw Rejection(.invalidValue, field: field(key), "\(field(key)) contains a NUL character") }
        return text
    }

    /// Free text: spaces around it are dropped, and it must not be only spaces.
    mutating func string(_ key: String, maxLength: Int = 200) throws(Rejection) -> String? {
        guard let text = try rawString(key, maxLength: maxLength) else { return nil }
        let trimmed = text.trimmingSpaces()
        guard !trimmed.isEmpty else { throw Rejection(.invalidValue, field: field(key), "\(field(key)) is empty") }
        return trimmed
    }

    /// A source system's identifier: 1 to 200 characters without control characters, spaces around it dropped.
    mutating func identifier(_ key: String) throws(Rejection) -> String? {
        guard let text = try rawString(key, maxLength: 200) else { return nil }
        // Printable ASCII needs no further look; anything else is checked scalar by scalar.
        let printableASCII = text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        guard printableASCII || !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw Rejection(.invalidValue, field: field(key), "\(field(key)) contains a control character")
        }
        let trimmed = text.trimmingSpaces()
        guard !trimmed.isEmpty else { throw Rejection(.invalidValue, field: field(key), "\(field(key)) is empty") }
        return trimmed
    }

    /// An absolute http(s) URL, as sent.
    mutating func url(_ key: String) throws(Rejection) -> String? {
        try rawString(key, maxLength: 2000)
    }

    mutating func timestamp(_ key: String) throws(Rejection) -> Date? {
        guard let text = try rawString(key, maxLength: 40) else { return nil }
        guard let date = Timestamps.parseRFC3339(text) else {
            throw Rejection(
                .invalidValue, field: field(key),
                "\(field(key)) must be an RFC 3339 timestamp with an offset, like 2026-03-05T10:00:00Z, not \"\(text)\""
            )
        }
        guard date.timeIntervalSince1970 >= 0 else {
            throw Rejection(.beforeEarliestDate, field: field(key), "\(field(key)) is before 1970")
        }
        return date
    }

    mutating func date(_ key: String) throws(Rejection) -> String? {
        guard let text = try rawString(key, maxLength: 10) else { return nil }
        guard Timestamps.isCalendarDate(text) else {
            throw Rejection(.invalidValue, field: field(key), "\(field(key)) must be a date like 2026-03-05, not \"\(text)\"")
        }
        return text
    }

    mutating func oneOf(_ key: String, _ allowed: [String]) throws(Rejection) -> String? {
        guard let text = try rawString(key, maxLength: 64) else { return nil }
        guard allowed.contains(text) else {
            throw Rejection(
                .invalidValue, field: field(key),
                "\(field(key)) must be one of \(allowed.joined(separator: ", ")), not \"\(text)\""
            )
        }
        return text
    }

    mutating func currency(_ key: String) throws(Rejection) -> String? {
        guard let text = try rawString(key, maxLength: 16) else { return nil }
        let upper = text.uppercased()
        guard upper.count == 3, upper.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            throw Rejection(.invalidValue, field: field(key), "\(field(key)) must be an ISO 4217 code like EUR, not \"\(text)\"")
        }
        return upper
    }

    /// A cumulative counter: a whole number, never negative.
    mutating func counter(_ key: String) throws(Rejection) -> Int64? {
        guard let value = value(key) else { return nil }
        guard case .number(let text) = value else {
            throw Rejection(.wrongType, field: field(key), "\(field(key)) must be a number, not \(value.typeName)")
        }
        if text.hasPrefix("-") {
            throw Rejection(.outOfRange, field: field(key), "\(field(key)) is a counter and cannot be negative (\(text))")
        }
        if let number = Int64(text) { return number }
        // JSON has one number type: 12.0 and 1.2e1 are the whole number 12, as JSON Schema's `integer` says.
        guard let exact = Decimal(string: text), exact.isWhole, exact <= Decimal(Int64.max) else {
            throw Rejection(.invalidValue, field: field(key), "\(field(key)) must be a whole number, not \(text)")
        }
        return NSDecimalNumber(decimal: exact).int64Value
    }

    /// An exact decimal with at most `scale` decimals, within `range`, returned as its text.
    /// Strings holding a number are accepted too (some systems send money that way).
    mutating func decimal(_ key: String, scale: Int, range: ClosedRange<Decimal>) throws(Rejection) -> String? {
        guard let value = value(key) else { return nil }
        let text: String
        switch value {
        case .number(let number): text = number
        case .string(let string):
            // A signed string is no plain amount; a JSON number keeps its sign (-0 is 0).
            guard !string.hasPrefix("-") || range.lowerBound < 0 else {
                throw Rejection(.outOfRange, field: field(key), "\(field(key)) must be between \(range.lowerBound) and \(range.upperBound), not \(string)")
            }
            text = string
        default: throw Rejection(.wrongType, field: field(key), "\(field(key)) must be a number, not \(value.typeName)")
        }
        guard let (integer, fraction) = Self.splitDecimal(text) else {
            throw Rejection(.invalidValue, field: field(key), "\(field(key)) must be a plain decimal number like 12.50, not \(text)")
        }
        guard fraction.count <= scale else {
            throw Rejection(.invalidValue, field: field(key), "\(field(key)) has more than \(scale) decimals (\(text)); round it at the source")
        }
        if case .number = value, integer.count >= 16, let number = Decimal(string: text), number > Self.largestExactNumber {
            throw Rejection(.outOfRange, field: field(key), "\(field(key)) is above 2^53 - 1 as a JSON number, which loses digits in most parsers: send it as a string")
        }
        guard integer.count <= 16, let number = Decimal(string: text), range.contains(number) else {
            throw Rejection(.outOfRange, field: field(key), "\(field(key)) must be between \(range.lowerBound) and \(range.upperBound), not \(text)")
        }
        return text
    }

    /// The largest integer every JSON parser reads exactly (a double's 53 bits).
    static let largestExactNumber = Decimal(9_007_199_254_740_991)

    /// `-?digits(.digits)?` split into its integer and fraction digits.
    private static func splitDecimal(_ text: String) -> (Substring, Substring)? {
        var body = Substring(text)
        if body.first == "-" { body = body.dropFirst() }
        let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let integer = parts.first, !integer.isEmpty, integer.allSatisfy(\.isASCIIDigit) else { return nil }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard parts.count == 1 || (!fraction.isEmpty && fraction.allSatisfy(\.isASCIIDigit)) else { return nil }
        return (integer, fraction)
    }

    mutating func object(_ key: String) throws(Rejection) -> JSONObject? {
        guard let value = value(key) else { return nil }
        guard case .object(let members) = value else {
            throw Rejection(.wrongType, field: field(key), "\(field(key)) must be an object, not \(value.typeName)")
        }
        return members
    }

    /// Refuses fields that were never read (the first of them in alphabetical order).
    func finish() throws(Rejection) {
        guard readMask.nonzeroBitCount + readBeyond.count < object.count else { return }
        let unread = object.members.indices.filter { !wasRead($0) }.map { object.members[$0].key }
        if let unknown = unread.min() {
            throw Rejection(.unknownField, field: field(unknown), "\(field(unknown)) is not a field of this event")
        }
    }
}

extension Decimal {
    /// Whether it has no fraction.
    var isWhole: Bool {
        var value = self
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 0, .plain)
        return rounded == self
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
