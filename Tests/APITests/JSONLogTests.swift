import Foundation
import Logging
import Testing

@testable import Telemetry

@Suite("JSON log lines")
struct JSONLogTests {
    static func parse(_ line: String) throws -> [String: Any] {
        #expect(line.hasSuffix("}\n") && line.filter { $0 == "\n" }.count == 1, "not one line: \(line)")
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test("one JSON object a line: fixed fields first, numbers as numbers, every character escaped")
    func format() throws {
        let line = JSONLogHandler.line(
            time: Date(timeIntervalSince1970: 1_780_000_000.25), level: .warning, message: "quote \" backslash \\ newline \n tab \t nul \u{0}",
            label: "advocacy",
            metadata: ["status": .stringConvertible(503), "duration_ms": .stringConvertible(1.5), "route": "/v1/kpis", "list": ["a", "b"]]
        )
        let record = try Self.parse(line)
        #expect(line.hasPrefix(#"{"time":"2026-05-28T20:26:40.250Z","level":"warning","message":"#))
        #expect(record["message"] as? String == "quote \" backslash \\ newline \n tab \t nul \u{0}")
        #expect(record["status"] as? Int == 503)
        #expect(record["duration_ms"] as? Double == 1.5)
        #expect(record["list"] as? [String] == ["a", "b"])
        #expect(record["logger"] as? String == "advocacy")
    }

    @Test("a credential never reaches the output, whatever the caller logged")
    func redaction() throws {
        let key = "adv_0123456789abcdef0123456789abcdef_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg"
        let session = "ses_0123456789abcdef0123456789abcdef_Secret"
        let line = JSONLogHandler.line(
            time: Date(), level: .error, message: "refused \(key)", label: "advocacy",
            metadata: ["error": .string("cookie advocacy_session=\(session); other"), "nested": ["token": .string(key)]]
        )
        #expect(!line.contains("AbCdEf") && !line.contains("Secret") && !line.contains("0123456789abcdef"))
        let record = try Self.parse(line)
        #expect(record["message"] as? String == "refused [redacted]")
        #expect(record["error"] as? String == "cookie advocacy_session=[redacted]; other")
        // Words that merely contain the prefixes are left alone.
        #expect(JSONLogHandler.redacting("dev_adv_x and uses_cookies") == "dev_adv_x and uses_cookies")
    }
}
