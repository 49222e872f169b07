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

    /// nil when `url` is not an absolute http(s) URL. Works on the UTF-8 bytes: it runs for every visit.
    public init?(_ url: String) {
        let bytes = Array(url.utf8)
        guard let schemeEnd = Self.find([0x3A, 0x2F, 0x2F], in: bytes[...]) else { return nil }  // "://"
        let scheme = String(decoding: bytes[..<schemeEnd], as: UTF8.self).lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        var rest = bytes[(schemeEnd + 3)...]
        if let hash = rest.firstIndex(of: UInt8(ascii: "#")) { rest = rest[..<hash] }
        var query: ArraySlice<UInt8> = []
        if let mark = rest.firstIndex(of: UInt8(ascii: "?")) {
            query = rest[(mark + 1)...]
            rest = rest[..<mark]
        }
        var authority = rest
        if let slash = rest.firstIndex(of: UInt8(ascii: "/")) {
            authority = rest[..<slash]
            path = String(decoding: rest[slash...], as: UTF8.self)
        } else {
            path = "/"
        }
        if let at = authority.lastIndex(of: UInt8(ascii: "@")) { authority = authority[(at + 1)...] }
        if let colon = authority.lastIndex(of: UInt8(ascii: ":")), authority.last != UInt8(ascii: "]") {
            authority = authority[..<colon]
        }
        guard !authority.isEmpty else { return nil }
        self.url = url
        self.host = String(decoding: authority, as: UTF8.self).lowercased()

        var values = [String?](repeating: nil, count: Self.parameters.count)
        for pair in query.split(separator: UInt8(ascii: "&")) {
            let equals = pair.firstIndex(of: UInt8(ascii: "="))
            let name = Self.decode(pair[..<(equals ?? pair.endIndex)]).lowercased()
            guard let slot = Self.parameters.firstIndex(of: name), values[slot] == nil, let equals else { continue }
            let value = Self.decode(pair[(equals + 1)...]).trimmingSpaces()
            if !value.isEmpty { values[slot] = value }
        }
        (source, medium, campaign, content, term) = (values[0], values[1], values[2], values[3], values[4])
    }

    /// The parameters read, in the order of the stored properties.
    private static let parameters = ["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"]

    private static func find(_ needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var index = haystack.startIndex
        while index + needle.count <= haystack.endIndex {
            if haystack[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    /// Percent-decoding with `+` as a space; a malformed escape is kept as written.
    static func decode(_ bytes: ArraySlice<UInt8>) -> String {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                decoded.append(0x20)
            } else if byte == UInt8(ascii: "%"), index + 2 < bytes.endIndex,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            {
                decoded.append(high << 4 | low)
                index += 2
            } else {
                decoded.append(byte)
            }
            index += 1
        }
        return String(decoding: decoded, as: UTF8.self)
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
        // Most values have nothing to trim: decide on the first and last bytes without decoding.
        if let first = utf8.first, let last = utf8.last, first > 0x20, first < 0x80, last > 0x20, last < 0x80 {
            return self
        }
        var scalars = Substring(self)
        while scalars.first?.isWhitespace == true { scalars.removeFirst() }
        while scalars.last?.isWhitespace == true { scalars.removeLast() }
        return String(scalars)
    }
}
