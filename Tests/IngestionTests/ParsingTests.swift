import Foundation
import Testing

@testable import Ingestion

@Suite("Parsing batches")
struct ParsingTests {
    func parse(_ text: String, _ format: BatchFormat = .json, limits: IngestionLimits = IngestionLimits()) throws(BatchError) -> [RawItem] {
        try BatchParser.parse(Array(text.utf8), format: format, limits: limits)
    }

    @Test("a JSON array is split into items that keep their exact bytes")
    func array() throws {
        let items = try parse(#"[ {"a": 1.50}, {"b": "x\u00e9"} ,{"c":[true,null]} ]"#)
        #expect(items.count == 3)
        #expect(String(decoding: items[0].raw, as: UTF8.self) == #"{"a": 1.50}"#)
        #expect(try items[0].parsed.get() == .object(["a": .number("1.50")]))
        #expect(try items[1].parsed.get() == .object(["b": .string("xé")]))
        #expect(try items[2].parsed.get() == .object(["c": .array([.bool(true), .null])]))
    }

    @Test("a syntax error in a JSON array refuses the body with its line and column")
    func malformedArray() {
        let error = #expect(throws: BatchError.self) { try parse("[\n  {\"id\": \"e1\"},\n  {\"id\": \"e2\",}\n]") }
        guard case .malformed(let syntax)? = error else {
            Issue.record("expected a syntax error, got \(String(describing: error))")
            return
        }
        #expect(syntax.line == 3)
        #expect(syntax.column == 15)
        #expect(syntax.message.contains("key"))
    }

    @Test("strict JSON: duplicate keys, leading zeros, bare control characters, lone surrogates, trailing text")
    func strict() {
        for bad in [#"[{"a":1,"a":2}]"#, "[01]", "[\"a\u{01}\"]", #"["\ud800"]"#, "[1] x", "[1,]", "[tru]", "[\"\\q\"]"] {
            #expect(throws: BatchError.self, "\(bad)") { try parse(bad) }
        }
    }

    @Test("an object of many keys: a duplicate is found past the first sixteen, and its members keep their order")
    func manyKeys() throws {
        let keys = (0..<40).map { "k\($0)" }
        let members = keys.map { "\"\($0)\":1" }.joined(separator: ",")
        let items = try parse("[{\(members)}]")
        guard case .object(let object)? = try? items[0].parsed.get() else {
            Issue.record("not an object")
            return
        }
        #expect(object.keys == keys)
        #expect(object["k39"] == .number("1") && object["k40"] == nil)
        for duplicate in ["k3", "k20", "k39"] {
            #expect(throws: BatchError.self, "\(duplicate)") { try parse("[{\(members),\"\(duplicate)\":2}]") }
        }
    }

    @Test("NDJSON lines stand alone: a malformed line is refused, the others parse")
    func ndjson() throws {
        let items = try parse("{\"id\":\"a\"}\n\n{\"id\": oops}\r\n  \n{\"id\":\"c\"}", .ndjson)
        #expect(items.count == 3)
        #expect(try items[0].parsed.get() == .object(["id": .string("a")]))
        guard case .failure(let rejection) = items[1].parsed else {
            Issue.record("line 3 should be refused")
            return
        }
        #expect(rejection.reason == .malformedJSON)
        #expect(rejection.message.contains("line 3"))
        #expect(try items[2].parsed.get() == .object(["id": .string("c")]))
    }

    @Test("invalid UTF-8 refuses only the item that holds it")
    func invalidUTF8() throws {
        var body = Array(#"[{"id":"ok"},{"id":"bad"#.utf8)
        body += [0xC3, 0x28]
        body += Array(#""},{"id":"ok2"}]"#.utf8)
        let items = try BatchParser.parse(body, format: .json, limits: IngestionLimits())
        #expect(items.count == 3)
        #expect((try? items[0].parsed.get()) != nil)
        guard case .failure(let rejection) = items[1].parsed else {
            Issue.record("the second item should be refused")
            return
        }
        #expect(rejection.reason == .invalidUTF8)
        #expect(items[1].raw.contains(0xC3))
        #expect((try? items[2].parsed.get()) != nil)
    }

    @Test("limits: events per request and bytes per event, named in the error")
    func limits() {
        let limits = IngestionLimits(maxBodyBytes: 1 << 20, maxEvents: 2, maxEventBytes: 40)
        let many = #expect(throws: BatchError.self) { try parse("[{},{},{}]", limits: limits) }
        #expect(many.map { "\($0)" }?.contains("max_events_per_request") == true)
        let large = #expect(throws: BatchError.self) {
            try parse(#"[{"note":"\#(String(repeating: "x", count: 100))"}]"#, limits: limits)
        }
        #expect(large.map { "\($0)" }?.contains("max_event_bytes") == true)
        #expect(throws: BatchError.self) { try parse("{}\n{}\n{}", .ndjson, limits: limits) }
    }

    @Test("an empty body or a scalar is not a batch; an empty array is")
    func notABatch() throws {
        #expect(throws: BatchError.self) { try parse("") }
        #expect(throws: BatchError.self) { try parse("42") }
        #expect(try parse("[]").isEmpty)
        #expect(try parse(#"{"id":"single"}"#).count == 1)
    }
}

@Suite("UTM links")
struct UTMTests {
    @Test("UTM parameters: case-insensitive names, percent-encoding, + as space, first value wins, fragments, empty values")
    func parsing() throws {
        let url = try #require(
            LandingURL(
                "HTTPS://WWW.Example.com:443/Careers/jobs?UTM_Source=LinkedIn&utm_medium=employee_advocacy"
                    + "&utm_campaign=Spring+Launch%202026&utm_content=tok_1&utm_content=other&utm_term=&utm_x=1#utm_term=frag"
            )
        )
        #expect(url.host == "www.example.com")
        #expect(url.path == "/Careers/jobs")
        #expect(url.source == "LinkedIn")
        #expect(url.medium == "employee_advocacy")
        #expect(url.campaign == "Spring Launch 2026")
        #expect(url.content == "tok_1")
        #expect(url.term == nil)
        #expect(url.isAdvocacy)

        let plain = try #require(LandingURL("https://example.com"))
        #expect(plain.path == "/")
        #expect(plain.source == nil)
        #expect(!plain.isAdvocacy)
        let badEscape = try #require(LandingURL("https://example.com/?utm_medium=Employee_Advocacy&utm_source=a%zzb&utm_campaign"))
        #expect(badEscape.isAdvocacy)
        #expect(badEscape.source == "a%zzb")
        #expect(badEscape.campaign == nil)
        let encodedName = try #require(LandingURL("https://example.com/?UTM%5FMedium=employee_advocacy&utm_source=a"))
        #expect(encodedName.medium == "employee_advocacy")
        #expect(LandingURL("ftp://example.com/x") == nil)
        #expect(LandingURL("/relative/path") == nil)
    }

    @Test("a tracked link replaces existing UTM parameters, keeps the others and the fragment, and parses back")
    func building() throws {
        let link = TrackedLink(
            contentURL: "https://blog.example.com/post?ref=home&utm_source=old#top", network: "linkedin",
            campaign: "spring launch", token: "abc123"
        )
        #expect(link.url == "https://blog.example.com/post?ref=home&utm_source=linkedin&utm_medium=employee_advocacy&utm_campaign=spring%20launch&utm_content=abc123#top")
        let parsed = try #require(LandingURL(link.url))
        #expect(parsed.source == "linkedin")
        #expect(parsed.campaign == "spring launch")
        #expect(parsed.content == "abc123")
        #expect(parsed.isAdvocacy)
        #expect(TrackedLink.isValidToken(TrackedLink.newToken()))
        #expect(TrackedLink.newToken() != TrackedLink.newToken())
    }
}
