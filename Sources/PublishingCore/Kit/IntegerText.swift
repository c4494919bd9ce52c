/// An integer a platform documents as a number but sends as a number or a string (`"start_offset": "1048576"`),
/// kept exact as text: a 19-digit id does not survive a trip through `Double`.
public struct IntegerText: Decodable, Sendable, Equatable {
    /// The digits as sent.
    public var text: String

    /// Wraps digits.
    public init(_ text: String) { self.text = text }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) {
            text = String(number)
        } else if let number = try? container.decode(UInt64.self) {
            text = String(number)
        } else {
            text = try container.decode(String.self)
        }
    }

    /// The value as a signed 64-bit integer, when it is one.
    public var int64: Int64? { Int64(text) }
}
