/// A landing URL with its UTM parameters parsed, by the rules the README documents:
/// parameter names are case-insensitive, values are percent-decoded with `+` as a space, the first
/// non-empty value of a repeated parameter wins, a parameter without a value counts as absent, and the
/// fragment is ignored.
public struct LandingURL: Sendable, Equatable {
    public let url: String
    public let host: String
    public let path: String
    public let source: String?
    public let medium: String?
    public let campaign: String?
    public let content: String?
    public let term: String?

    /// The medium that marks the programme's links (see `TrackedLink`).
    public static let advocacyMedium = "employee_advocacy"

    /// Whether the visit came through an ambassador's link, whether or not its token is known.
    public var isAdvocacy: Bool { medium?.lowercased() == Self.advocacyMedium }

    /// nil when `url` is not an absolute http(s) URL.
    public init?(_ url: String) {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        var rest = url[schemeEnd.upperBound...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let query: Substring
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        } else {
            query = ""
        }
        let authority: Substring
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = String(rest[slash...])
        } else {
            authority = rest
            path = "/"
        }
        var hostPart = authority
        if let at = hostPart.lastIndex(of: "@") { hostPart = hostPart[hostPart.index(after: at)...] }
        if let colon = hostPart.lastIndex(of: ":"), !hostPart.hasSuffix("]") { hostPart = hostPart[..<colon] }
        guard !hostPart.isEmpty else { return nil }
        self.url = url
        self.host = hostPart.lowercased()

        var values: [String: String] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0]).lowercased()
            guard name.hasPrefix("utm_"), values[name] == nil, parts.count == 2 else { continue }
            let value = Self.decode(parts[1]).trimmingSpaces()
            if !value.isEmpty { values[name] = value }
        }
        source = values["utm_source"]
        medium = values["utm_medium"]
        campaign = values["utm_campaign"]
        content = values["utm_content"]
        term = values["utm_term"]
    }

    /// Percent-decoding with `+` as a space; a malformed escape is kept as written.
    static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else if byte == UInt8(ascii: "%"), iterator.count >= 2,
                let high = hexValue(iterator[iterator.startIndex]),
                let low = hexValue(iterator[iterator.startIndex + 1])
            {
                bytes.append(high << 4 | low)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}

extension String {
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while scalars.first?.isWhitespace == true { scalars.removeFirst() }
        while scalars.last?.isWhitespace == true { scalars.removeLast() }
        return String(scalars)
    }
}
