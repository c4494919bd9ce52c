import Foundation

extension ExpiryTime {
    /// An expiry time as found in the `.env` (written by atom or by hand): ISO 8601, with or without fractional
    /// seconds; `nil` when it is neither.
    public static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
