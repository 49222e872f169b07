import Foundation
import Ingestion
import Testing

/// The OpenAPI document is the one description of the events: its `<Type>Data` schemas must list exactly the
/// fields the validator takes (`EventType.dataFields`, the validator's gate), required and optional alike.
/// That the validator reads every one of them is `Tests/OpenAPI/events_contract.py`'s "every field" events.
@Suite("The OpenAPI document's events")
struct EventDocumentTests {
    static let document: String = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/API/Resources/openapi.yaml")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }()

    @Test("every event type has a schema in the document, selected by its type")
    func everyTypeDescribed() {
        let described = EventSchemas.read(Self.document)
        #expect(Set(described.keys) == Set(EventType.allCases.map(\.rawValue)))
        for type in EventType.allCases {
            #expect(Self.document.contains("          \(type.rawValue): \"#/components/schemas/"), "the discriminator maps \(type.rawValue)")
        }
    }

    @Test("each type's data fields, required and optional, are the validator's", arguments: EventType.allCases)
    func fieldsAgree(type: EventType) throws {
        let described = try #require(EventSchemas.read(Self.document)[type.rawValue], "\(type.rawValue) is described")
        let taken = type.dataFields
        #expect(Set(described.required) == Set(taken.required), "required fields of \(type.rawValue)")
        #expect(Set(described.properties) == Set(taken.required + taken.optional), "fields of \(type.rawValue)")
    }
}

/// Enough YAML reading for our own document: each `<Name>Event` schema's `type` constant and `data` schema, and
/// that schema's `required` list and property names.
enum EventSchemas {
    struct Data {
        var required: [String] = []
        var properties: [String] = []
    }

    static func read(_ document: String) -> [String: Data] {
        let lines = document.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var blocks: [String: [String]] = [:]
        var current: String?
        for line in lines {
            if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                current = String(line.dropFirst(4).dropLast())
                blocks[current ?? ""] = []
            } else if line.hasPrefix("  "), !line.hasPrefix("   ") {
                current = nil
            } else if let name = current {
                blocks[name, default: []].append(line)
            }
        }
        var result: [String: Data] = [:]
        for (name, block) in blocks where name.hasSuffix("Event") {
            guard let type = value(after: "        type: { type: string, const: ", in: block, until: " }"),
                let dataName = value(after: "        data: { $ref: \"#/components/schemas/", in: block, until: "\" }"),
                let dataBlock = blocks[dataName]
            else { continue }
            var data = Data()
            if let list = value(after: "      required: [", in: dataBlock, until: "]") {
                data.required = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            }
            var inProperties = false
            for line in dataBlock {
                if line == "      properties:" {
                    inProperties = true
                } else if inProperties, line.hasPrefix("        "), !line.hasPrefix("         "), let colon = line.firstIndex(of: ":") {
                    data.properties.append(String(line[line.index(line.startIndex, offsetBy: 8)..<colon]))
                } else if !line.hasPrefix("        ") {
                    inProperties = false
                }
            }
            result[type] = data
        }
        return result
    }

    private static func value(after prefix: String, in block: [String], until end: String) -> String? {
        guard let line = block.first(where: { $0.hasPrefix(prefix) }), let close = line.range(of: end, options: .backwards) else { return nil }
        return String(line[line.index(line.startIndex, offsetBy: prefix.count)..<close.lowerBound])
    }
}
