/// Builds `COPY ... FROM STDIN` text-format data: fields separated by tabs, rows by newlines, NULL as `\N`,
/// and backslash, tab, newline and carriage return escaped so any text survives the trip unchanged.
///
/// Data is sent to the server in chunks as rows are added, so loading millions of rows takes little memory.
public final class CopyWriter {
    private var buffer: [UInt8] = []
    private var atRowStart = true
    private let send: ([UInt8]) throws -> Void
    private static let chunkSize = 1 << 18
    public private(set) var rowCount = 0
    /// Called with `rowCount` each time a chunk goes to the server: a hook for progress bars.
    public var onChunkSent: ((Int) -> Void)?

    init(send: @escaping ([UInt8]) throws -> Void) {
        self.send = send
        buffer.reserveCapacity(Self.chunkSize + 4096)
    }

    private func separate() {
        if atRowStart { atRowStart = false } else { buffer.append(0x09) }
    }

    /// Appends a text field; nil is SQL NULL.
    public func add(_ text: String?) throws {
        separate()
        guard let text else {
            buffer.append(contentsOf: [0x5C, 0x4E])  // \N
            return
        }
        for byte in text.utf8 {
            switch byte {
            case 0x5C: buffer.append(contentsOf: [0x5C, 0x5C])  // \\
            case 0x09: buffer.append(contentsOf: [0x5C, 0x74])  // \t
            case 0x0A: buffer.append(contentsOf: [0x5C, 0x6E])  // \n
            case 0x0D: buffer.append(contentsOf: [0x5C, 0x72])  // \r
            case 0x00:
                throw PostgresError(code: .encodingFailed, message: "a COPY field contains a NUL character")
            default: buffer.append(byte)
            }
        }
    }

    /// Appends any encodable value (numbers, dates, UUIDs, booleans) through its text form; nil is NULL.
    public func add(_ value: (any PostgresEncodable)?) throws {
        guard let value, !value.isNull else { return try add(nil as String?) }
        try add(value.postgresText)
    }

    /// Appends an integer without going through a String.
    public func add(_ value: Int) {
        separate()
        if value == 0 {
            buffer.append(0x30)
            return
        }
        var magnitude = value.magnitude
        if value < 0 { buffer.append(0x2D) }
        let start = buffer.count
        while magnitude > 0 {
            buffer.append(UInt8(48 + magnitude % 10))
            magnitude /= 10
        }
        buffer[start...].reverse()
    }

    /// Ends the current row; sends a chunk to the server when enough has accumulated.
    public func endRow() throws {
        buffer.append(0x0A)
        atRowStart = true
        rowCount += 1
        if buffer.count >= Self.chunkSize { try flush() }
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        try send(buffer)
        buffer.removeAll(keepingCapacity: true)
        onChunkSent?(rowCount)
    }
}
