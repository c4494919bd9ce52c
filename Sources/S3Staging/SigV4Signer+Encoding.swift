import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension SigV4Signer {
    /// RFC 3986 unreserved characters: the only ones SigV4 leaves unencoded.
    private static let unreserved: Set<UInt8> = Set(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~".utf8))
    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// Percent-encodes everything but unreserved characters, with uppercase hex (SigV4's `UriEncode`).
    public static func uriEncode(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if unreserved.contains(byte) {
                out.append(byte)
            } else {
                out += [UInt8(ascii: "%"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Encodes each segment of a decoded path once, keeping `/` (S3's canonical URI and wire path).
    public static func encodePath(_ path: String) -> String {
        let encoded = path.split(separator: "/", omittingEmptySubsequences: false).map { uriEncode(String($0)) }.joined(separator: "/")
        return encoded.isEmpty ? "/" : encoded
    }

    /// The canonical query: each name and value encoded, sorted by name then value, `name=value` joined by `&`.
    public static func canonicalQuery(_ pairs: [(String, String)]) -> String {
        let encoded: [(name: String, value: String)] = pairs.map { pair in (uriEncode(pair.0), uriEncode(pair.1)) }
        let sorted = encoded.sorted { lhs, rhs in lhs.name == rhs.name ? lhs.value < rhs.value : lhs.name < rhs.name }
        return sorted.map { pair in pair.name + "=" + pair.value }.joined(separator: "&")
    }

    /// Lowercased names, values trimmed with inner whitespace runs collapsed, duplicates joined by `,`
    /// in the order given, sorted by name.
    static func canonicalHeaders(_ headers: [(String, String)]) -> [(name: String, value: String)] {
        var merged: [String: [String]] = [:]
        for (name, value) in headers {
            merged[name.lowercased(), default: []].append(trimAll(value))
        }
        return merged.keys.sorted().map { ($0, merged[$0, default: []].joined(separator: ",")) }
    }

    /// Trims a header value and collapses every run of whitespace (including folded lines) to one space.
    static func trimAll(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).joined(separator: " ")
    }

    /// RFC 3986 dot-segment removal plus collapsing of repeated slashes (for services other than S3).
    static func normalize(_ path: String) -> String {
        var output: [Substring] = []
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        for segment in segments {
            if segment == "." { continue }
            if segment == ".." { _ = output.popLast(); continue }
            output.append(segment)
        }
        var result = "/" + output.joined(separator: "/")
        let last = path.split(separator: "/", omittingEmptySubsequences: false).last
        if path.hasSuffix("/") || last == "." || last == "..", !output.isEmpty { result += "/" }
        return result
    }

    /// `YYYYMMDDTHHMMSSZ` in UTC.
    public static func amzDate(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d%02d%02dT%02d%02d%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec)
        )
    }

    /// Parses `YYYYMMDDTHHMMSSZ` (UTC).
    public static func parseAMZDate(_ text: String) -> Date? {
        let digits = text.utf8.filter { $0 != UInt8(ascii: "T") && $0 != UInt8(ascii: "Z") }
        guard text.utf8.count == 16, digits.count == 14, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        let string = String(decoding: digits, as: UTF8.self)
        func number(_ from: Int, _ length: Int) -> Int32 {
            let start = string.index(string.startIndex, offsetBy: from)
            return Int32(string[start..<string.index(start, offsetBy: length)]) ?? 0
        }
        var parts = tm()
        parts.tm_year = number(0, 4) - 1900
        parts.tm_mon = number(4, 2) - 1
        parts.tm_mday = number(6, 2)
        parts.tm_hour = number(8, 2)
        parts.tm_min = number(10, 2)
        parts.tm_sec = number(12, 2)
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }

}
