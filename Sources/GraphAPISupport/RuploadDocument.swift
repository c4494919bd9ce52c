import PublishingCore

/// The answer of Meta's rupload host, which Instagram and Facebook share: `{"success": true, "message": …}` on
/// success, `{"debug_info": {"retriable", "type", "message"}}` on failure (the shape integrations record).
package struct RuploadDocument: Decodable, Sendable {
    /// Why an upload failed, and whether resending may help.
    package struct DebugInfo: Decodable, Sendable {
        package var retriable: Bool?
        package var type: String?
        package var message: String?
    }

    package var success: Bool?
    package var message: String?
    package var debugInfo: DebugInfo?

    /// Parses an answer, or `nil` when it is not one.
    package static func parse(_ bytes: [UInt8]) -> RuploadDocument? {
        try? SnakeCaseJSON.decode(RuploadDocument.self, from: bytes)
    }
}
