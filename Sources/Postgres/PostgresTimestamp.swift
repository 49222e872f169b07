import Foundation

/// Fast, exact conversion between `Date` and PostgreSQL's ISO text for `timestamptz` and `date`,
/// with microsecond precision (PostgreSQL's own).
@usableFromInline
enum PostgresTimestamp {
    /// Microseconds since 1970, rounded to the nearest: the precision of both forms, text and binary.
    @inlinable
    static func unixMicroseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    static func format(_ date: Date) -> String {
        let totalMicros = unixMicroseconds(date)
        var days = totalMicros / 86_400_000_000
        var rest = totalMicros % 86_400_000_000
        if rest < 0 {
            rest += 86_400_000_000
            days -= 1
        }
        let (year, month, day) = CivilCalendar.civil(fromDays: days)
        let seconds = rest / 1_000_000
        let fraction = rest % 1_000_000
        guard (0...9999).contains(year) else {
            return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2)) "
                + "\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2)).\(pad(fraction, 6))+00"
        }
        // The common case, written digit by digit into the string's own storage: ingestion formats one
        // timestamp per event and column, and interpolating eight padded numbers cost more than the rest.
        return String(unsafeUninitializedCapacity: 29) { text in
            _ = text.initialize(from: "0000-00-00 00:00:00.000000+00".utf8)
            func put(_ value: Int64, width: Int, at offset: Int) {
                var value = value
                for index in stride(from: offset + width - 1, through: offset, by: -1) {
                    text[index] = UInt8(truncatingIfNeeded: 48 + value % 10)
                    value /= 10
                }
            }
            put(year, width: 4, at: 0)
            put(month, width: 2, at: 5)
            put(day, width: 2, at: 8)
            put(seconds / 3600, width: 2, at: 11)
            put(seconds / 60 % 60, width: 2, at: 14)
            put(seconds % 60, width: 2, at: 17)
            put(fraction, width: 6, at: 20)
            return 29
        }
    }

    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int64? {
            guard index + digits <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[index..<index + digits] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            index += digits
            return value
        }
        func expect(_ ascii: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: ascii) else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var micros = CivilCalendar.days(fromCivil: year, month, day) * 86_400_000_000
        if index == bytes.count { return Date(timeIntervalSince1970: Double(micros) / 1_000_000) }
        guard expect(" ") || expect("T"), let hour = number(2), expect(":"), let minute = number(2), expect(":"),
            let second = number(2)
        else { return nil }
        micros += ((hour * 60 + minute) * 60 + second) * 1_000_000
        if expect(".") {
            var scale: Int64 = 100_000
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                micros += Int64(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        if index < bytes.count {
            let sign: Int64
            if expect("+") { sign = 1 } else if expect("-") { sign = -1 } else { return nil }
            guard let offsetHours = number(2) else { return nil }
            var offsetMinutes: Int64 = 0
            if expect(":") {
                guard let minutes = number(2) else { return nil }
                offsetMinutes = minutes
            }
            micros -= sign * (offsetHours * 60 + offsetMinutes) * 60_000_000
        }
        guard index == bytes.count else { return nil }
        return Date(timeIntervalSince1970: Double(micros) / 1_000_000)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

/// Proleptic Gregorian calendar arithmetic (Howard Hinnant's algorithms), exact for any year: the one
/// implementation the service uses to turn dates into day numbers and back.
public enum CivilCalendar {
    /// Days since 1970-01-01 of year-month-day (month 1...12).
    public static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Year, month and day of a day number (days since 1970-01-01).
    public static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Whether year-month-day is a real date (months 1...12, month lengths, leap years).
    public static func isValid(year: Int64, month: Int64, day: Int64) -> Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths: [Int64] = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[Int(month - 1)]
    }
}
