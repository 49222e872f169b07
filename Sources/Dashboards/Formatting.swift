import Foundation

/// Numbers for people: thousands separators, percentages with one decimal, money with its currency symbol.
/// Values arrive as the API's JSON numbers.
public enum Formatting {
    /// `value` rounded to `fractionDigits`, with comma thousands separators (NumberFormatter on Linux does not
    /// honour its fraction digits, so this is done by hand).
    public static func decimal(_ value: Double, fractionDigits: Int) -> String {
        let fixed = String(format: "%.\(fractionDigits)f", abs(value))
        let parts = fixed.split(separator: ".", maxSplits: 1)
        var whole = String(parts.first ?? "0")
        var grouped = ""
        while whole.count > 3 {
            grouped = "," + whole.suffix(3) + grouped
            whole = String(whole.dropLast(3))
        }
        let negative = value < 0 && fixed.contains { $0 != "0" && $0 != "." }
        return (negative ? "-" : "") + whole + grouped + (parts.count > 1 ? "." + parts[1] : "")
    }

    static let symbols = ["EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF ", "INR": "₹"]

    /// A KPI value in its catalog unit; nil is "n/a".
    public static func value(_ value: Double?, unit: String, currency: String) -> String {
        guard let value else { return "n/a" }
        switch unit {
        case "ratio": return percent(value)
        case "money": return money(value, currency: currency)
        case "score": return decimal(value, fractionDigits: 2)
        case "days": return decimal(value, fractionDigits: 1) + " days"
        default: return count(value)
        }
    }

    public static func count(_ value: Double) -> String {
        decimal(value, fractionDigits: value.rounded() == value ? 0 : 2)
    }

    public static func percent(_ ratio: Double) -> String { decimal(ratio * 100, fractionDigits: 1) + " %" }

    public static func money(_ value: Double, currency: String) -> String {
        let symbol = symbols[currency]
        let number = decimal(abs(value), fractionDigits: 2)
        return (value < 0 ? "−" : "") + (symbol.map { $0 + number } ?? number + " " + currency)
    }

    /// The change from the previous period in the KPI's unit: ratios in percentage points.
    public static func change(_ value: Double, unit: String, currency: String) -> String {
        let sign = value > 0 ? "+" : value < 0 ? "−" : "±"
        switch unit {
        case "ratio": return sign + decimal(abs(value) * 100, fractionDigits: 1) + " pts"
        case "money": return sign + money(abs(value), currency: currency)
        default: return sign + Formatting.value(abs(value), unit: unit, currency: currency)
        }
    }

    /// Text for HTML: &, <, >, " and ' escaped.
    public static func html(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
