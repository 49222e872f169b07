import Foundation
import Postgres

/// One value of an answer, typed: a number stays an exact `Decimal` from PostgreSQL to the JSON answer.
public indirect enum Value: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Decimal)
    case string(String)
    case array([Value])
    case object([String: Value])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let number = try? container.decode(Decimal.self) {
            self = .number(number)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let array = try? container.decode([Value].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: Value].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let bool): try container.encode(bool)
        case .number(let number): try container.encode(number)
        case .string(let string): try container.encode(string)
        case .array(let array): try container.encode(array)
        case .object(let object): try container.encode(object)
        }
    }

    /// A JSON document PostgreSQL made (a `jsonb` column's text). - Throws: when it is not JSON.
    public static func parsing(json text: String) throws -> Value {
        try JSONDecoder().decode(Value.self, from: Data(text.utf8))
    }

    /// The member `key` of an object; nil for anything else.
    public subscript(key: String) -> Value? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public var decimal: Decimal? {
        switch self {
        case .number(let number): number
        case .string(let text): Decimal(string: text)
        default: nil
        }
    }

    public var double: Double? { decimal.map { NSDecimalNumber(decimal: $0).doubleValue } }

    public var string: String? {
        switch self {
        case .string(let text): text
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
                case 20, 21, 23, 26, 700, 701, 1700:  // int8, int2, int4, oid, float4, float8, numeric
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
