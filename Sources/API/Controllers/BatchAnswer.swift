import Ingestion

extension ItemOutcome {
    /// The answer to a batch, `{"accepted":..,"duplicate":..,"items":[..],"rejected":..}`, written directly:
    /// at thousands of items a request, a generic encoder costs more than storing them.
    static func batchJSON(_ outcomes: [ItemOutcome]) -> String {
        var accepted = 0, duplicate = 0, rejected = 0
        var items = ""
        items.reserveCapacity(outcomes.count * 48)
        for (position, outcome) in outcomes.enumerated() {
            // Piece by piece: a concatenated piece is a string of its own, allocated per item.
            items += position == 0 ? "{\"index\":" : ",{\"index\":"
            items += String(outcome.index)
            if let id = outcome.id {
                items += ",\"id\":"
                JSONWriter.writeString(id, into: &items)
            }
            switch outcome.status {
            case .accepted:
                accepted += 1
                items += ",\"status\":\"accepted\""
            case .duplicate:
                duplicate += 1
                items += ",\"status\":\"duplicate\""
            case .rejected:
                rejected += 1
                items += ",\"status\":\"rejected\""
            }
            if let reason = outcome.reason {
                items += ",\"reason\":\""
                items += reason.rawValue
                items += "\""
            }
            if let field = outcome.field {
                items += ",\"field\":"
                JSONWriter.writeString(field, into: &items)
            }
            if let message = outcome.message {
                items += ",\"message\":"
                JSONWriter.writeString(message, into: &items)
            }
            if let rejectionID = outcome.rejectionID {
                items += ",\"rejection_id\":"
                items += String(rejectionID)
            }
            items += "}"
        }
        return "{\"accepted\":\(accepted),\"duplicate\":\(duplicate),\"items\":[\(items)],\"rejected\":\(rejected)}"
    }
}
