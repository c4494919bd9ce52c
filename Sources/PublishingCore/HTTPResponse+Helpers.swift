import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Helpers shared by adapters for the JSON APIs they speak.
public enum HTTPBodies {
    /// The largest response body atom reads into memory (error documents, JSON answers).
    public static let maxResponseBytes = 4 * 1024 * 1024

    /// Collects a response body (bounded) into bytes; `nil` body gives empty bytes.
    public static func collect(_ body: HTTPBody?, upTo limit: Int = maxResponseBytes) async throws -> [UInt8] {
        guard let body else { return [] }
        return Array(try await ArraySlice<UInt8>(collecting: body, upTo: limit))
    }

    /// Collects a response body (bounded) as UTF-8 text.
    public static func text(_ body: HTTPBody?, upTo limit: Int = maxResponseBytes) async throws -> String {
        String(decoding: try await collect(body, upTo: limit), as: UTF8.self)
    }

    /// Encodes a value as a JSON request body with a known length (re-sendable).
    public static func json(_ value: some Encodable) throws -> HTTPBody {
        let data = try JSONEncoder.atom.encode(value)
        return HTTPBody(Array(data))
    }

    /// A form-encoded request body with a known length.
    public static func form(_ pairs: [(String, String)]) -> HTTPBody {
        HTTPBody(Array(FormEncoding.encode(pairs).utf8))
    }
}

extension HTTPFields {
    /// Parses `Retry-After` as delta-seconds or an HTTP-date, relative to `now`.
    public func retryAfter(now: Date) -> Duration? {
        guard let value = self[.retryAfter] else { return nil }
        return RetryAfter.parse(value, now: now)
    }
}

/// Parsing of the `Retry-After` header (RFC 9110 §10.2.3).
public enum RetryAfter {
    /// Parses delta-seconds (`120`) or an IMF-fixdate (`Wed, 21 Oct 2015 07:28:00 GMT`).
    /// - Returns: The delay from `now`, never negative, or `nil` if unparseable.
    public static func parse(_ value: String, now: Date) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(trimmed), seconds >= 0 { return .seconds(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: trimmed) {
                return .milliseconds(max(0, Int64((date.timeIntervalSince(now) * 1000).rounded())))
            }
        }
        return nil
    }
}
