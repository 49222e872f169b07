/// Why an item was refused: a closed list, so clients can act on the code and metrics can count it.
public enum RejectionReason: String, Sendable, CaseIterable {
    /// The item is not valid JSON (NDJSON lines are parsed one by one).
    case malformedJSON = "malformed_json"
    /// A CSV record that cannot be split into fields (a stray quote, an unclosed quote, too many fields).
    case malformedCSV = "malformed_csv"
    /// A string in the item is not valid UTF-8.
    case invalidUTF8 = "invalid_utf8"
    /// The item is not a JSON object, or `data` is not one.
    case notAnObject = "not_an_object"
    case missingField = "missing_field"
    case wrongType = "wrong_type"
    /// A field the event type does not define (often a typo).
    case unknownField = "unknown_field"
    case unknownType = "unknown_type"
    /// A value of the right type in the wrong form: a bad date, an unknown enum value, a bad URL.
    case invalidValue = "invalid_value"
    /// A number or a length outside what the field allows (negative counters, SSI pillars above 25).
    case outOfRange = "out_of_range"
    /// Fields that contradict each other (an SSI total that is not the sum of its pillars).
    case inconsistent = "inconsistent"
    /// A timestamp later than now plus the configured tolerance.
    case futureTimestamp = "future_timestamp"
    /// A timestamp before the configured earliest date (default 2000-01-01): a mistaken epoch, or a backfill
    /// the service is not set up to take.
    case beforeEarliestDate = "before_earliest_date"
    /// The event id was already accepted for an event of another type: a retry carries the same event, so
    /// this is a different event reusing the id, and storing neither silently is the only safe answer.
    case idConflict = "id_conflict"
    /// The key may not send this type of fact (rate cards and costs need the admin scope).
    case notPermitted = "not_permitted"
    /// The database refused the fact (a rule only it can check, e.g. a tracking token already used).
    case constraintViolation = "constraint_violation"
}

/// One refused item: the code, the field at fault (a JSON path such as `data.impressions`, or a CSV
/// column), and a sentence a person can act on.
public struct Rejection: Error, Sendable, Equatable {
    public let reason: RejectionReason
    public let field: String?
    public let message: String

    public init(_ reason: RejectionReason, field: String?, _ message: String) {
        self.reason = reason
        self.field = field
        self.message = message
    }
}
