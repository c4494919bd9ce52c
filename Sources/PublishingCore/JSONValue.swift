import Foundation

/// A JSON value, used for manifest sections and adapter checkpoints whose shape the core does not know.
public enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value.rounded() == value, abs(value) < 9.0e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The object's members, or `nil` when this is not an object.
    public var objectValue: [String: JSONValue]? { if case .object(let value) = self { value } else { nil } }
    /// The string, or `nil` when this is not a string.
    public var stringValue: String? { if case .string(let value) = self { value } else { nil } }
    /// The boolean, or `nil` when this is not a boolean.
    public var boolValue: Bool? { if case .bool(let value) = self { value } else { nil } }
    /// The number, or `nil` when this is not a number.
    public var numberValue: Double? { if case .number(let value) = self { value } else { nil } }

    /// Decodes a `Decodable` value from this JSON value.
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        let data = try JSONEncoder().encode(self)
        return try JSONDecoder.atom.decode(T.self, from: data)
    }

    /// Encodes an `Encodable` value into a JSON value.
    public static func encoding(_ value: some Encodable) throws -> JSONValue {
        let data = try JSONEncoder.atom.encode(value)
        return try JSONDecoder().decode(JSONValue.self, from: data)
    }
}

extension JSONEncoder {
    /// atom's JSON conventions: ISO 8601 dates, sorted keys.
    package static var atom: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

extension JSONDecoder {
    /// atom's JSON conventions: ISO 8601 dates.
    package static var atom: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
