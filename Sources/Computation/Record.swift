import Foundation
import Postgres

/// One value of an answer, typed: a number stays an exact `Decimal` from PostgreSQL to the JSON answer.
public indirect enum Value: Sendable, Hashable, Encodable {
    case null
    case bool(Bool)
    /// A whole number (an integer column): encoded without the cost of a decimal.
    case integer(Int64)
    case number(Decimal)
    case string(String)
    case array([Value])
    case object([String: Value])

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let bool): try container.encode(bool)
        case .integer(let integer): try container.encode(integer)
        case .number(let number): try container.encode(number)
        case .string(let string): try container.encode(string)
        case .array(let array): try container.encode(array)
        case .object(let object): try container.encode(object)
        }
    }

    /// A JSON document PostgreSQL made (a `jsonb` column's text), numbers kept exact.
    /// - Throws: `JSONTextError` with the offset where the text stops being JSON.
    public static func parsing(json text: String) throws -> Value {
        var reader = JSONTextReader(bytes: Array(text.utf8))
        let value = try reader.value()
        reader.skipSpace()
        guard reader.position == reader.bytes.count else { throw JSONTextError(offset: reader.position) }
        return value
    }

    /// The member `key` of an object; nil for anything else.
    public subscript(key: String) -> Value? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public var decimal: Decimal? {
        switch self {
        case .integer(let integer): Decimal(integer)
        case .number(let number): number
        case .string(let text): Decimal(string: text)
        default: nil
        }
    }

    public var double: Double? { decimal.map { NSDecimalNumber(decimal: $0).doubleValue } }

    public var string: String? {
        switch self {
        case .string(let text): text
        case .integer(let integer): String(integer)
        case .number(let number): number.description
        case .bool(let bool): String(bool)
        default: nil
        }
    }

    public var bool: Bool? {
        if case .bool(let bool) = self { return bool }
        return nil
    }
}

/// One row of a `kpi` function's answer: its columns in order, each value typed by its column's type.
public struct Record: Sendable, Hashable, Encodable {
    public let columns: [String]
    public let values: [Value]

    public init(columns: [String], values: [Value]) {
        self.columns = columns
        self.values = values
    }

    /// The value of column `name`; nil when there is no such column.
    public subscript(name: String) -> Value? {
        columns.firstIndex(of: name).map { values[$0] }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: ColumnKey.self)
        for (column, value) in zip(columns, values) {
            try container.encode(value, forKey: ColumnKey(column))
        }
    }

    struct ColumnKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The rows of a result, each value typed by its column's type: integers and numerics as exact numbers,
    /// booleans, `json`/`jsonb` as JSON, timestamps as ISO 8601 text, everything else (text, dates) as text.
    public static func rows(of result: QueryResult) throws -> [Record] {
        let columns = result.columnNames
        let types = columns.indices.map { result.columnType(at: $0) }
        return try result.map { row in
            Record(columns: columns, values: try columns.indices.map { index in
                guard let text = try row.decode(String?.self, at: index) else { return .null }
                switch types[index] {
                case 20, 21, 23, 26:  // int8, int2, int4, oid
                    guard let integer = Int64(text) else { return .string(text) }
                    return .integer(integer)
                case 700, 701, 1700:  // float4, float8, numeric
                    guard let number = Decimal(string: text) else { return .string(text) }
                    return .number(number)
                case 16:  // bool
                    return .bool(text == "t")
                case 114, 3802:  // json, jsonb
                    return try Value.parsing(json: text)
                case 1184:  // timestamptz
                    return .string(try row.decode(Date.self, at: index).formatted(.iso8601))
                default:
                    return .string(text)
                }
            })
        }
    }
}

/// Where a JSON text PostgreSQL answered is not JSON.
public struct JSONTextError: Error, Sendable, CustomStringConvertible {
    public let offset: Int
    public var description: String { "not JSON at byte \(offset)" }
}

/// Reads JSON text into `Value`s in one pass over its bytes, keeping each number's digits (as a `Decimal`).
struct JSONTextReader {
    let bytes: [UInt8]
    var position = 0

    mutating func skipSpace() {
        while position < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[position]) { position += 1 }
    }

    mutating func value() throws -> Value {
        skipSpace()
        guard position < bytes.count else { throw JSONTextError(offset: position) }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            position += 1
            var members: [String: Value] = [:]
            skipSpace()
            if consume("}") { return .object(members) }
            repeat {
                skipSpace()
                let key = try string()
                skipSpace()
                guard consume(":") else { throw JSONTextError(offset: position) }
                members[key] = try value()
                skipSpace()
            } while consume(",")
            guard consume("}") else { throw JSONTextError(offset: position) }
            return .object(members)
        case UInt8(ascii: "["):
            position += 1
            var elements: [Value] = []
            skipSpace()
            if consume("]") { return .array(elements) }
            repeat {
                elements.append(try value())
                skipSpace()
            } while consume(",")
            guard consume("]") else { throw JSONTextError(offset: position) }
            return .array(elements)
        case UInt8(ascii: "\""):
            return .string(try string())
        case UInt8(ascii: "t"):
            return try literal("true", .bool(true))
        case UInt8(ascii: "f"):
            return try literal("false", .bool(false))
        case UInt8(ascii: "n"):
            return try literal("null", .null)
        default:
            let start = position
            while position < bytes.count, "+-.0123456789eE".utf8.contains(bytes[position]) { position += 1 }
            guard let number = Decimal(string: String(decoding: bytes[start..<position], as: UTF8.self)), position > start else {
                throw JSONTextError(offset: start)
            }
            return .number(number)
        }
    }

    private mutating func consume(_ character: Unicode.Scalar) -> Bool {
        guard position < bytes.count, bytes[position] == UInt8(ascii: character) else { return false }
        position += 1
        return true
    }

    private mutating func literal(_ word: String, _ value: Value) throws -> Value {
        let end = position + word.utf8.count
        guard end <= bytes.count, bytes[position..<end].elementsEqual(word.utf8) else { throw JSONTextError(offset: position) }
        position = end
        return value
    }

    private mutating func string() throws -> String {
        guard consume("\"") else { throw JSONTextError(offset: position) }
        var run = position
        var text = ""
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "\""):
                text += String(decoding: bytes[run..<position], as: UTF8.self)
                position += 1
                return text
            case UInt8(ascii: "\\"):
                text += String(decoding: bytes[run..<position], as: UTF8.self)
                position += 1
                guard position < bytes.count else { throw JSONTextError(offset: position) }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "n"): text += "\n"
                case UInt8(ascii: "t"): text += "\t"
                case UInt8(ascii: "r"): text += "\r"
                case UInt8(ascii: "b"): text += "\u{08}"
                case UInt8(ascii: "f"): text += "\u{0C}"
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code) {
                        guard consume("\\"), consume("u") else { throw JSONTextError(offset: position) }
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw JSONTextError(offset: position) }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw JSONTextError(offset: position) }
                    text.unicodeScalars.append(scalar)
                default: text.unicodeScalars.append(Unicode.Scalar(escape))
                }
                run = position
            default:
                position += 1
            }
        }
        throw JSONTextError(offset: position)
    }

    private mutating func hex4() throws -> UInt32 {
        guard position + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16) else {
            throw JSONTextError(offset: position)
        }
        position += 4
        return code
    }
}
