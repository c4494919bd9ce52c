import Foundation
import OpenAPIRuntime

/// The platforms' JSON spelling (`publish_id`, `permalink_url`) mapped onto Swift names (`publishID`,
/// `permalinkURL`) without a `CodingKeys` enum per type.
///
/// Decoding splits a key at `_`, capitalises every later word and spells `id` and `url` as `ID` and `URL`;
/// encoding is Foundation's `.convertToSnakeCase` (which already writes `publishID` as `publish_id`).
/// The keys of a `[String: …]` dictionary are left as they are.
public enum SnakeCaseJSON {
    /// Words written in capitals in Swift names.
    static let acronyms: Set<String> = ["id", "url"]

    /// The Swift name for a snake_case key: `fbtrace_id` → `fbtraceID`, `video_url` → `videoURL`.
    public static func swiftName(_ key: String) -> String {
        let words = key.split(separator: "_", omittingEmptySubsequences: true)
        guard let first = words.first, words.count > 1 else { return key }
        return words.dropFirst().reduce(String(first)) { name, word in
            let lower = word.lowercased()
            return name + (acronyms.contains(lower) ? lower.uppercased() : word.prefix(1).uppercased() + word.dropFirst())
        }
    }

    /// A decoder for snake_case documents.
    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .custom { path in
            SwiftNameKey(stringValue: swiftName(path.last?.stringValue ?? ""))
        }
        return decoder
    }

    /// An encoder writing snake_case keys.
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Decodes a snake_case document.
    public static func decode<T: Decodable>(_ type: T.Type = T.self, from bytes: [UInt8]) throws -> T {
        try decoder.decode(type, from: Data(bytes))
    }

    /// A JSON request body with snake_case keys and a known length (re-sendable).
    public static func body(_ value: some Encodable) throws -> HTTPBody {
        HTTPBody(Array(try encoder.encode(value)))
    }

    private struct SwiftNameKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
