import Foundation

/// ISO 8601 timestamps as atom meets them: in the `.env` (`…_EXPIRES_AT`), on the command line and in manifests
/// (`--at`), and in S3's listings — with or without fractional seconds. The one parser for all of them.
public enum ISO8601Text {
    /// The date, or `nil` when `text` is not ISO 8601 date-time (`2026-05-01T12:00:00Z`, `…:00.250+02:00`).
    public static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
