import Foundation
import Postgres

/// Strict parsing of the two time formats ingestion accepts: RFC 3339 timestamps with an explicit offset
/// (`2026-03-05T10:00:00Z`, `2026-03-05T11:00:00.250+01:00`) and calendar dates (`2026-03-05`).
public enum Timestamps {
    /// Seconds since 1970 for a valid RFC 3339 timestamp, nil otherwise.
    public static func parseRFC3339(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, let days = dayNumber(bytes, 0), bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
            let hour = number(bytes, 11, 2), bytes[13] == UInt8(ascii: ":"), let minute = number(bytes, 14, 2),
            bytes[16] == UInt8(ascii: ":"), let second = number(bytes, 17, 2),
            hour < 24, minute < 60, second < 60
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                fraction += Double(bytes[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < bytes.count else { return nil }
        var offset = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign = bytes[index] == UInt8(ascii: "+") ? 1 : -1
            guard index + 6 == bytes.count, let hours = number(bytes, index + 1, 2), bytes[index + 3] == UInt8(ascii: ":"),
                let minutes = number(bytes, index + 4, 2), hours < 24, minutes < 60
            else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
            index += 6
        default:
            return nil
        }
        guard index == bytes.count else { return nil }
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// True for a real calendar date written `YYYY-MM-DD`.
    static func isCalendarDate(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.count == 10 && dayNumber(bytes, 0) != nil
    }

    /// Days since 1970-01-01 of the `YYYY-MM-DD` date at `start`, nil when it is not a real date.
    private static func dayNumber(_ bytes: [UInt8], _ start: Int) -> Int? {
        guard bytes.count >= start + 10, let year = number(bytes, start, 4), bytes[start + 4] == UInt8(ascii: "-"),
            let month = number(bytes, start + 5, 2), bytes[start + 7] == UInt8(ascii: "-"),
            let day = number(bytes, start + 8, 2), year >= 1,
            CivilCalendar.isValid(year: Int64(year), month: Int64(month), day: Int64(day))
        else { return nil }
        return Int(CivilCalendar.days(fromCivil: Int64(year), Int64(month), Int64(day)))
    }

    private static func number(_ bytes: [UInt8], _ start: Int, _ count: Int) -> Int? {
        guard start + count <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[start..<start + count] {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }
}
