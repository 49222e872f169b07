import Foundation
import Postgres

/// The programme's UTM scheme, in one place. A link an ambassador shares is the content's URL plus:
///
/// - `utm_source=<network>` (linkedin, x, facebook, instagram, xing, other)
/// - `utm_medium=employee_advocacy` (marks the programme's traffic)
/// - `utm_campaign=<the content's campaign>` (or `advocacy` when it has none)
/// - `utm_content=<token>`: a random token unique to this share; the post published with this link
///   carries it in its `tracked_url`, and visits carrying it are attributed to that post and ambassador.
public struct TrackedLink: Sendable, Equatable {
    public let url: String
    public let token: String
    public let source: String
    public let medium: String
    public let campaign: String

    public static func isValidToken(_ token: String) -> Bool {
        (1...64).contains(token.utf8.count)
            && token.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            }
    }

    /// A new random token: 12 characters of [0-9A-Za-z], about 71 bits.
    public static func newToken() -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var generator = SystemRandomNumberGenerator()
        return String((0..<12).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    /// The tracked URL for sharing `contentURL` on `network`: existing utm_* parameters of the content URL
    /// are replaced, other parameters and the fragment are kept.
    public init(contentURL: String, network: String, campaign: String?, token: String = TrackedLink.newToken()) {
        self.token = token
        self.source = network
        self.medium = LandingURL.advocacyMedium
        self.campaign = campaign ?? "advocacy"
        var base = Substring(contentURL)
        var fragment = ""
        if let hash = base.firstIndex(of: "#") {
            fragment = String(base[hash...])
            base = base[..<hash]
        }
        var kept: [Substring] = []
        if let mark = base.firstIndex(of: "?") {
            kept = base[base.index(after: mark)...].split(separator: "&").filter { !$0.lowercased().hasPrefix("utm_") }
            base = base[..<mark]
        }
        let utm = [
            "utm_source=\(Self.encode(source))", "utm_medium=\(medium)", "utm_campaign=\(Self.encode(self.campaign))",
            "utm_content=\(token)",
        ]
        url = String(base) + "?" + (kept.map(String.init) + utm).joined(separator: "&") + fragment
    }

    /// Percent-encodes everything but unreserved characters (RFC 3986).
    static func encode(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                output += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return output
    }
}

/// Issuing tracked links (the owner of `ingest.tracked_links`): each link is recorded, so that visits carrying
/// its token are attributed from the first click, before the post that uses it is reported.
public enum TrackedLinks {
    public enum Refusal: Error, Sendable, Equatable {
        case unknownContent
        case contentWithoutURL
    }

    /// Makes and records a link for an ambassador to share a content item on a network.
    public static func issue(
        organization: UUID, ambassadorID: String, contentID: String, network: String, on pool: ConnectionPool
    ) async throws -> Result<TrackedLink, Refusal> {
        try await pool.tenantTransaction(organization) { connection in
            let rows = try connection.query(
                "SELECT url, campaign FROM core.content_items WHERE organization_id = $1 AND content_id = $2", [organization, contentID]
            )
            guard let row = rows.first else { return .failure(.unknownContent) }
            guard let contentURL = try row.decode(String?.self, "url") else { return .failure(.contentWithoutURL) }
            let link = TrackedLink(contentURL: contentURL, network: network, campaign: try row.decode(String?.self, "campaign"))
            try connection.query(
                """
                INSERT INTO ingest.tracked_links (organization_id, token, ambassador_id, content_id, network, url)
                VALUES ($1, $2, $3, $4, $5::core.network, $6)
                """,
                [organization, link.token, ambassadorID, contentID, network, link.url]
            )
            return .success(link)
        }
    }
}
