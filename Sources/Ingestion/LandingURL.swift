/// A landing URL with its UTM parameters parsed, by the rules docs/ingestion.md documents:
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

    /// nil when `url` is not an absolute http(s) URL. Works on the UTF-8 bytes, in place: it runs for every visit.
    public init?(_ url: String) {
        var bytes = url
        guard let parsed = bytes.withUTF8({ Self.parse(url, $0) }) else { return nil }
        self = parsed
    }

    private init(url: String, host: String, path: String, values: [String?]) {
        (self.url, self.host, self.path) = (url, host, path)
        (source, medium, campaign, content, term) = (values[0], values[1], values[2], values[3], values[4])
    }

    private static func parse(_ url: String, _ bytes: UnsafeBufferPointer<UInt8>) -> LandingURL? {
        guard let schemeEnd = find([0x3A, 0x2F, 0x2F], in: bytes[...]) else { return nil }  // "://"
        let scheme = bytes[..<schemeEnd]
        guard equalsIgnoringASCIICase(scheme, "http") || equalsIgnoringASCIICase(scheme, "https") else { return nil }
        var rest = bytes[(schemeEnd + 3)...]
        if let hash = rest.firstIndex(of: UInt8(ascii: "#")) { rest = rest[..<hash] }
        var query: Slice<UnsafeBufferPointer<UInt8>> = bytes[bytes.endIndex...]
        if let mark = rest.firstIndex(of: UInt8(ascii: "?")) {
            query = rest[(mark + 1)...]
            rest = rest[..<mark]
        }
        var authority = rest
        var path = "/"
        if let slash = rest.firstIndex(of: UInt8(ascii: "/")) {
            authority = rest[..<slash]
            path = String(decoding: rest[slash...], as: UTF8.self)
        }
        if let at = authority.lastIndex(of: UInt8(ascii: "@")) { authority = authority[(at + 1)...] }
        if let colon = authority.lastIndex(of: UInt8(ascii: ":")), authority.last != UInt8(ascii: "]") {
            authority = authority[..<colon]
        }
        guard !authority.isEmpty else { return nil }
        let host = authority.allSatisfy({ $0 < 0x80 && !(0x41...0x5A).contains($0) })
            ? String(decoding: authority, as: UTF8.self) : String(decoding: authority, as: UTF8.self).lowercased()

        var values = [String?](repeating: nil, count: parameters.count)
        var pairStart = query.startIndex
        while pairStart < query.endIndex {
            let pairEnd = query[pairStart...].firstIndex(of: UInt8(ascii: "&")) ?? query.endIndex
            defer { pairStart = pairEnd + 1 }
            let pair = query[pairStart..<pairEnd]
            guard let equals = pair.firstIndex(of: UInt8(ascii: "=")), let slot = parameterSlot(pair[..<equals]), values[slot] == nil else {
                continue
            }
            let value = decode(pair[(equals + 1)...]).trimmingSpaces()
            if !value.isEmpty { values[slot] = value }
        }
        return LandingURL(url: url, host: host, path: path, values: values)
    }

    /// The parameters read, in the order of the stored properties.
    private static let parameters = ["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"]

    /// Which UTM parameter `name` is, case-insensitively, percent-decoded first when it needs it.
    private static func parameterSlot(_ name: Slice<UnsafeBufferPointer<UInt8>>) -> Int? {
        guard name.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else {
            return parameters.firstIndex { equalsIgnoringASCIICase(name, $0) }
        }
        let decoded = decode(name).lowercased()
        return parameters.firstIndex(of: decoded)
    }

    /// Whether `bytes` spell `word` (lowercase ASCII) in any case.
    private static func equalsIgnoringASCIICase(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, _ word: String) -> Bool {
        bytes.count == word.utf8.count
            && zip(bytes, word.utf8).allSatisfy { byte, letter in byte == letter || ((0x41...0x5A).contains(byte) && byte | 0x20 == letter) }
    }

    private static func find(_ needle: [UInt8], in haystack: Slice<UnsafeBufferPointer<UInt8>>) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var index = haystack.startIndex
        while index + needle.count <= haystack.endIndex {
            if haystack[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    /// Percent-decoding with `+` as a space; a malformed escape is kept as written.
    static func decode<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String where Bytes.Index == Int {
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
