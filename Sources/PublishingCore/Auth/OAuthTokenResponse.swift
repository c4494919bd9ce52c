import Foundation

/// A token endpoint's JSON answer.
public struct OAuthTokenResponse: Sendable {
    /// Every field of the answer.
    public var fields: [String: JSONValue]
    let platform: PlatformID
    let operationID: String

    /// The answer's bytes, for integers wider than a double (Instagram's `user_id`).
    public let raw: [UInt8]

    /// Wraps an answer.
    /// - Parameters:
    ///   - fields: The JSON object.
    ///   - platform: For errors.
    ///   - operationID: For errors.
    ///   - raw: The JSON text the fields came from, if at hand (exact digits of long numeric ids).
    public init(fields: [String: JSONValue], platform: PlatformID, operationID: String, raw: [UInt8] = []) {
        self.fields = fields
        self.platform = platform
        self.operationID = operationID
        self.raw = raw
    }

    /// A string field. Numbers are written without a fraction, with their exact digits taken from the JSON
    /// text: Meta sends ids both as strings and as numbers wider than a double.
    public func string(_ key: String) -> String? {
        switch fields[key] {
        case .string(let value): return value.isEmpty ? nil : value
        case .number(let value):
            if let exact = exactInteger(key) { return exact }
            return value.rounded() == value && abs(value) < 9.0e15 ? String(Int64(value)) : String(value)
        default: return nil
        }
    }

    private func exactInteger(_ key: String) -> String? {
        guard !raw.isEmpty else { return nil }
        let text = String(decoding: raw, as: UTF8.self)
        let escaped = NSRegularExpression.escapedPattern(for: key)
        guard let regex = try? NSRegularExpression(pattern: #""\#(escaped)"\s*:\s*(-?[0-9]+)(?![0-9.eE])"#),
            let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
            let range = Range(match.range(at: 1), in: text)
        else { return nil }
        return String(text[range])
    }

    /// A number field (also from a numeric string).
    public func number(_ key: String) -> Double? {
        switch fields[key] {
        case .number(let value): value
        case .string(let value): Double(value)
        default: nil
        }
    }

    /// A string field that must be there.
    /// - Throws: ``PublishError`` (`protocolViolation`) naming the missing field.
    public func require(_ key: String) throws -> String {
        guard let value = string(key) else {
            throw PublishError(
                .protocolViolation, platform: platform, operationID: operationID,
                message: "the token endpoint's answer has no \(key)")
        }
        return value
    }

    /// `access_token`, which must be there.
    public func requireAccessToken() throws -> String { try require("access_token") }
}
