import Foundation

/// A credential of the form `<prefix>_<32 hex key id>_<43 base62 secret>` (about 256 bits of secret): API keys
/// (`adv_`) and dashboard sessions (`ses_`). The key id finds the organisation; the secret is only ever
/// compared by its SHA-256 in the database.
struct Token: Sendable {
    let prefix: String
    let keyID: UUID
    let secret: String

    init(prefix: String, keyID: UUID, secret: String) {
        self.prefix = prefix
        self.keyID = keyID
        self.secret = secret
    }

    init?(parsing text: String, prefix: String) {
        let parts = text.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == prefix, parts[1].count == 32, !parts[2].isEmpty,
              parts[2].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
        else { return nil }
        let hex = Array(parts[1])
        let dashed = String(hex[0..<8]) + "-" + String(hex[8..<12]) + "-" + String(hex[12..<16]) + "-" + String(hex[16..<20]) + "-"
            + String(hex[20..<32])
        guard let keyID = UUID(uuidString: dashed) else { return nil }
        self.init(prefix: prefix, keyID: keyID, secret: String(parts[2]))
    }

    var text: String { "\(prefix)_\(keyID.uuidString.lowercased().replacingOccurrences(of: "-", with: ""))_\(secret)" }

    static func randomSecret() -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var generator = SystemRandomNumberGenerator()
        return String((0..<43).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}
