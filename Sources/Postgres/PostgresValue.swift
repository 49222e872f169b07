import Foundation

/// A Swift value that can be bound as a statement parameter, in PostgreSQL's text format (or its binary one).
public protocol PostgresEncodable: Sendable {
    var postgresText: String { get }
    /// True for a nil Optional: bound as SQL NULL (and written NULL inside arrays).
    var isNull: Bool { get }
    /// The value in PostgreSQL's binary format, bound as such when not nil (`PostgresBinaryArray`).
    var postgresBinary: PostgresBinaryValue? { get }
}

extension PostgresEncodable {
    public var isNull: Bool { false }
    public var postgresBinary: PostgresBinaryValue? { nil }
}

/// A parameter's bytes in PostgreSQL's binary format, and whether text inside them holds a NUL character
/// (which PostgreSQL text cannot hold: the connection refuses it before sending, as it does for text).
public struct PostgresBinaryValue: Sendable {
    public let bytes: [UInt8]
    public let containsNUL: Bool
}

/// Lets `[String?]` and other arrays of optionals be bound, with nil elements as NULL.
extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresText: String { self?.postgresText ?? "" }
    public var isNull: Bool { self == nil }
}

/// Binary data for `bytea`, sent in PostgreSQL's hex format.
public struct PostgresBytes: PostgresEncodable, Equatable {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    public var postgresText: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
        text.reserveCapacity(2 + bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

extension PostgresBytes: PostgresDecodable {
    /// Reads `bytea` in the hex output format (`\x0a1b...`), the server's default.
    public init?(postgresText: String) {
        let utf8 = Array(postgresText.utf8)
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x"), utf8.count % 2 == 0 else {
            return nil
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity((utf8.count - 2) / 2)
        var index = 2
        while index < utf8.count {
            guard let high = Self.nibble(utf8[index]), let low = Self.nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        self.bytes = bytes
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x61...0x66: byte - 0x61 + 10
        case 0x41...0x46: byte - 0x41 + 10
        default: nil
        }
    }
}

/// A Swift value that can be read from a column in PostgreSQL's text format.
public protocol PostgresDecodable: Sendable {
    /// nil when `postgresText` is not a valid representation of this type.
    init?(postgresText: String)
}

extension String: PostgresEncodable, PostgresDecodable {
    public var postgresText: String { self }
    public init?(postgresText: String) { self = postgresText }
}

extension Int: PostgresEncodable, PostgresDecodable {
    public var postgresText: String { String(self) }
    public init?(postgresText: String) { self.init(postgresText) }
}

extension Int64: PostgresEncodable, PostgresDecodable {
    public var postgresText: String { String(self) }
    public init?(postgresText: String) { self.init(postgresText) }
}

extension Int32: PostgresEncodable, PostgresDecodable {
    public var postgresText: String { String(self) }
    public init?(postgresText: String) { self.init(postgresText) }
}

extension Double: PostgresEncodable, PostgresDecodable {
    public var postgresText: String {
        if isNaN { return "NaN" }
        if isInfinite { return self > 0 ? "Infinity" : "-Infinity" }
        return "\(self)"
    }

    public init?(postgresText: String) {
        switch postgresText {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default: self.init(postgresText)
        }
    }
}

extension Bool: PostgresEncodable, PostgresDecodable {
    public var postgresText: String { self ? "true" : "false" }
    public init?(postgresText: String) {
        switch postgresText {
        case "t", "true": self = true
        case "f", "false": self = false
        default: return nil
        }
    }
}

extension UUID: PostgresEncodable, PostgresDecodable {
    public var postgresText: String { uuidString.lowercased() }
    public init?(postgresText: String) { self.init(uuidString: postgresText) }
}

/// `numeric` is exact: it is read into `Decimal` (38 significant digits) through its text, never a Double.
extension Decimal: PostgresEncodable, PostgresDecodable {
    public var postgresText: String { description }
    public init?(postgresText: String) {
        guard !postgresText.isEmpty, postgresText != "NaN" else { return nil }
        self.init(string: postgresText, locale: Locale(identifier: "en_US_POSIX"))
    }
}

/// `timestamptz` and `date`: sessions run with `TimeZone=UTC` and `DateStyle=ISO`, so the text is
/// `2024-03-05 12:34:56.123456+00` or `2024-03-05` (read as midnight UTC).
extension Date: PostgresEncodable, PostgresDecodable {
    public var postgresText: String { PostgresTimestamp.format(self) }
    public init?(postgresText: String) {
        guard let date = PostgresTimestamp.parse(postgresText) else { return nil }
        self = date
    }
}

/// Binds arrays as PostgreSQL array literals (`{"a","b c",NULL}`), for `= ANY($1)` and `unnest($1)`.
extension Array: PostgresEncodable where Element: PostgresEncodable {
    public var postgresText: String {
        var literal = PostgresArrayLiteral(capacity: count * 16)
        for index in indices { literal.append(self[index].isNull ? nil : self[index].postgresText) }
        return literal.postgresText
    }
}

/// An array literal (`{"a","b c",NULL}`) written element by element from the elements' text: for the types
/// `PostgresBinaryArray` does not write (numeric, date) and for `[T]` parameters.
public struct PostgresArrayLiteral: PostgresEncodable {
    private var bytes: [UInt8] = [UInt8(ascii: "{")]

    public init(capacity: Int = 1024) {
        bytes.reserveCapacity(capacity)
    }

    /// Every element quoted, with `"` and `\` escaped; nil as NULL.
    public mutating func append(_ text: String?) {
        guard var text else { return appendNull() }
        openElement()
        text.withUTF8 { utf8 in
            // Most values need no escape: copied whole.
            guard utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
                bytes.append(contentsOf: utf8)
                return
            }
            for byte in utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func openElement() {
        if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendNull() {
        if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
        bytes.append(contentsOf: [0x4E, 0x55, 0x4C, 0x4C])  // NULL
    }

    public var postgresText: String {
        String(unsafeUninitializedCapacity: bytes.count + 1) { text in
            _ = text.initialize(from: bytes)
            text[bytes.count] = UInt8(ascii: "}")
            return bytes.count + 1
        }
    }
}

/// A type whose values go into `PostgresBinaryArray`: written as PostgreSQL's `*send` functions write
/// them, read back as its `*recv` functions read them.
public protocol PostgresBinaryElement: PostgresEncodable {
    /// The element type's OID (`pg_type`), which the server checks against the array's type.
    static var postgresTypeOID: UInt32 { get }
    func appendPostgresBinary(to bytes: inout [UInt8])
    /// Reads what `appendPostgresBinary` wrote; nil when the bytes are not a value of this type.
    init?(postgresBinary bytes: UnsafeRawBufferPointer)
    /// Whether the value holds a NUL character (only text can).
    var containsNUL: Bool { get }
}

extension PostgresBinaryElement {
    @inlinable public var containsNUL: Bool { false }
}

extension String: PostgresBinaryElement {
    @inlinable public static var postgresTypeOID: UInt32 { 25 }  // text
    @inlinable public func appendPostgresBinary(to bytes: inout [UInt8]) {
        var text = self
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }
    @inlinable public var containsNUL: Bool {
        var text = self
        return text.withUTF8 { utf8 in utf8.baseAddress.map { memchr($0, 0, utf8.count) != nil } ?? false }
    }
    public init?(postgresBinary bytes: UnsafeRawBufferPointer) {
        self.init(validating: bytes, as: UTF8.self)
    }
}

extension Int64: PostgresBinaryElement {
    @inlinable public static var postgresTypeOID: UInt32 { 20 }  // int8
    @inlinable public func appendPostgresBinary(to bytes: inout [UInt8]) {
        withUnsafeBytes(of: bigEndian) { bytes.append(contentsOf: $0) }
    }
    public init?(postgresBinary bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 8 else { return nil }
        self.init(bigEndian: bytes.loadUnaligned(as: Int64.self))
    }
}

extension Bool: PostgresBinaryElement {
    @inlinable public static var postgresTypeOID: UInt32 { 16 }  // bool
    @inlinable public func appendPostgresBinary(to bytes: inout [UInt8]) {
        bytes.append(self ? 1 : 0)
    }
    public init?(postgresBinary bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 1, bytes[0] <= 1 else { return nil }
        self = bytes[0] == 1
    }
}

/// `timestamptz`: microseconds since 2000-01-01 00:00 UTC, rounded as the text form rounds them.
extension Date: PostgresBinaryElement {
    @inlinable public static var postgresTypeOID: UInt32 { 1184 }  // timestamptz
    @usableFromInline static let postgresEpochMicros: Int64 = 946_684_800_000_000

    @inlinable public func appendPostgresBinary(to bytes: inout [UInt8]) {
        (PostgresTimestamp.unixMicroseconds(self) - Self.postgresEpochMicros).appendPostgresBinary(to: &bytes)
    }
    public init?(postgresBinary bytes: UnsafeRawBufferPointer) {
        guard let micros = Int64(postgresBinary: bytes) else { return nil }
        self.init(timeIntervalSince1970: Double(micros + Self.postgresEpochMicros) / 1_000_000)
    }
}

/// A one-dimensional array in PostgreSQL's binary format (what `array_recv` reads), written element by
/// element: a batch's column of thousands of values reaches the server with nothing to parse (no quoting,
/// no timestamps in text), and leaves here with nothing formatted.
public struct PostgresBinaryArray<Element: PostgresBinaryElement>: PostgresEncodable {
    // Header: dimensions (1), has-nulls flag, element OID, length, lower bound (1); then each element as
    // its length (-1 for NULL) and its bytes. The header is kept valid after every append.
    @usableFromInline var bytes: [UInt8]
    @usableFromInline var elementCount = 0
    /// Whether a text element holds a NUL character.
    @usableFromInline var hasNUL = false

    public var count: Int { elementCount }

    // Inlinable: specialised where it is used (a generic append per value, through the type's metadata,
    // was a seventh of the server's work per event).
    @inlinable
    public init(capacity: Int = 1024) {
        bytes = []
        bytes.reserveCapacity(20 + capacity)
        for field in [1, 0, Int32(bitPattern: Element.postgresTypeOID), 0, 1] as [Int32] {
            withUnsafeBytes(of: field.bigEndian) { bytes.append(contentsOf: $0) }
        }
    }

    public init(_ elements: some Sequence<Element?>) {
        self.init()
        for element in elements { append(element) }
    }

    @inlinable
    public mutating func append(_ element: Element?) {
        elementCount += 1
        bytes.withUnsafeMutableBytes { $0.storeBytes(of: Int32(elementCount).bigEndian, toByteOffset: 12, as: Int32.self) }
        guard let element else {
            bytes[7] = 1  // has nulls
            // Length -1: NULL.
            bytes.append(0xFF)
            bytes.append(0xFF)
            bytes.append(0xFF)
            bytes.append(0xFF)
            return
        }
        if !hasNUL, element.containsNUL { hasNUL = true }
        let lengthAt = bytes.count
        // Its length, filled in below (appended byte by byte: an array literal here is allocated per value).
        bytes.append(0)
        bytes.append(0)
        bytes.append(0)
        bytes.append(0)
        element.appendPostgresBinary(to: &bytes)
        let length = bytes.count - lengthAt - 4
        bytes.withUnsafeMutableBytes { $0.storeBytes(of: Int32(length).bigEndian, toByteOffset: lengthAt, as: Int32.self) }
    }

    public var postgresBinary: PostgresBinaryValue? {
        // An empty array has no dimensions: no dimension fields either.
        PostgresBinaryValue(bytes: count > 0 ? bytes : [0, 0, 0, 0, 0, 0, 0, 0] + bytes[8..<12], containsNUL: hasNUL)
    }

    /// The elements, read back from the binary form.
    public var elements: [Element?] {
        bytes.withUnsafeBytes { raw in
            var elements: [Element?] = []
            elements.reserveCapacity(count)
            var offset = 20
            while offset < raw.count {
                let length = Int(Int32(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)))
                offset += 4
                guard length >= 0 else {
                    elements.append(nil)
                    continue
                }
                elements.append(Element(postgresBinary: UnsafeRawBufferPointer(rebasing: raw[offset..<offset + length])))
                offset += length
            }
            return elements
        }
    }

    /// The same array as a text literal (what a text-format parameter would carry).
    public var postgresText: String { elements.postgresText }
}
