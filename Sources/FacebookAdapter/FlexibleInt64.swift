import Foundation
import PublishingCore

/// An integer that Graph sends as a number or as a string (`"start_offset": "1048576"`): the kit's ``IntegerText``
/// that must be a signed 64-bit integer.
struct FlexibleInt64: Decodable, Sendable, Equatable {
    var value: Int64

    init(_ value: Int64) { self.value = value }

    init(from decoder: any Decoder) throws {
        guard let value = try IntegerText(from: decoder).int64 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an integer"))
        }
        self.value = value
    }
}
