import Foundation
import Logging
import Synchronization

/// Removes secrets from any text before it is shown, logged or stored.
///
/// Two mechanisms: every credential value atom has loaded is registered here and replaced wherever it
/// appears; and well-known secret shapes (bearer tokens, `access_token=` parameters, S3 signatures and
/// security tokens, `Authorization` headers) are masked by pattern even when they were never registered.
public enum Redaction {
    /// What replaces a secret.
    public static let mask = "<redacted>"

    private static let secrets = Mutex<Set<String>>([])

    /// Registers a secret value so that it is masked wherever it appears. Values shorter than 6
    /// characters are ignored (they would mask ordinary words).
    public static func register(secret: String) {
        let trimmed = secret.trimmingCharacters(in: .whitespaces)
        guard trimmed.count >= 6 else { return }
        secrets.withLock { _ = $0.insert(trimmed) }
    }

    /// Whether a configuration key holds a secret (tokens, secrets, passwords, keys).
    public static func isSecretKey(_ key: String) -> Bool {
        let upper = key.uppercased()
        if upper.hasSuffix("_ID") || upper.hasSuffix("_URL") || upper.hasSuffix("_BASE") || upper.hasSuffix("EXPIRES_AT") { return false }
        return ["TOKEN", "SECRET", "PASSWORD", "ACCESS_KEY", "PRIVATE", "CREDENTIAL", "SESSION"].contains { upper.contains($0) }
    }

    private static let patterns: [(NSRegularExpression, String)] = {
        let specs: [(String, String)] = [
            (#"(?i)(X-Amz-Signature=)[0-9a-fA-F]+"#, "$1\(mask)"),
            (#"(?i)(X-Amz-Security-Token=)[^&\s"']+"#, "$1\(mask)"),
            (#"(?i)(X-Amz-Credential=)[A-Z0-9]{4,}"#, "$1\(mask)"),
            (#"(?i)(Signature=)[0-9a-f]{64}"#, "$1\(mask)"),
            (#"(?i)((?:access_token|refresh_token|client_secret|fb_exchange_token|code_verifier|appsecret_proof|input_token)=)[^&\s"']+"#, "$1\(mask)"),
            (#"(?i)("(?:access_token|refresh_token|client_secret|id_token|secret|password)"\s*:\s*")[^"]*"#, "$1\(mask)"),
            (#"(?i)(\b(?:Bearer|OAuth)\s+)[A-Za-z0-9._~+/=\-]{8,}"#, "$1\(mask)"),
            (#"(?i)(authorization:\s*)[^\r\n"\\]+"#, "$1\(mask)"),
            (#"(?i)(upload_id=|upload_key=|upload_token=)[^&\s"']+"#, "$1\(mask)"),
        ]
        return specs.compactMap { spec in
            (try? NSRegularExpression(pattern: spec.0)).map { ($0, spec.1) }
        }
    }()

    /// The shortest start of a registered secret that is masked on its own: text cut in the middle of a
    /// token (a capped error body) must not show most of it.
    public static let prefixLength = 8

    /// The longest text ``outsideText(_:limit:)`` keeps by default.
    public static let outsideTextLimit = 300

    /// Returns `text` with every registered secret, every start of one that is ``prefixLength`` characters or
    /// longer, and every known secret shape masked.
    public static func redact(_ text: String) -> String {
        var result = text
        let known = secrets.withLock { $0 }
        for secret in known.flatMap(variants(of:)).sorted(by: { $0.count > $1.count }) where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: mask)
        }
        for secret in known where secret.count >= prefixLength {
            result = maskingPrefixes(of: secret, in: result)
        }
        for (regex, template) in patterns {
            let range = NSRange(result.startIndex..., in: result)
            result = regex.stringByReplacingMatches(in: result, range: range, withTemplate: template)
        }
        return result
    }

    /// Turns text that came from outside (a platform's error body, a callback's query, an S3 `<Message>`) into
    /// something safe to show, log or store. In this order: mask every registered secret and every
    /// ``prefixLength``-character start of one, and every known secret shape; then replace control characters
    /// (terminal escapes, NUL, line breaks) with spaces; then cap at `limit` characters. Masking comes before the
    /// cap so that a cut can never leave part of a token behind.
    /// - Parameters:
    ///   - text: The hostile text.
    ///   - limit: The most characters kept (an ellipsis marks a cut).
    /// - Returns: One line, at most `limit` characters plus the ellipsis.
    public static func outsideText(_ text: String, limit: Int = outsideTextLimit) -> String {
        let masked = redact(text)
        let printable = String(String.UnicodeScalarView(masked.unicodeScalars.map { scalar in
            isControl(scalar) ? " " : scalar
        }))
        let trimmed = printable.trimmingCharacters(in: .whitespaces)
        guard trimmed.count > limit else { return trimmed }
        return String(trimmed.prefix(limit)) + "…"
    }

    /// `text` with every control character but line breaks and tabs replaced by a space: for output that may span
    /// lines (a table, a list of problems) but must never carry a terminal escape sequence from outside.
    public static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { isControl($0) && $0 != "\n" && $0 != "\t" }) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            isControl(scalar) && scalar != "\n" && scalar != "\t" ? " " : scalar
        }))
    }

    /// ``outsideText(_:limit:)`` for a response body: decodes at most 64 KiB (invalid UTF-8 becomes U+FFFD).
    public static func outsideText(bytes: some Collection<UInt8>, limit: Int = outsideTextLimit) -> String {
        outsideText(String(decoding: bytes.prefix(65_536), as: UTF8.self), limit: limit)
    }

    /// Whether a scalar is a control character (C0, DEL, C1) or a bidirectional override that can disguise text.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// Masks every run of `text` that starts with the first ``prefixLength`` characters of `secret`, goes on
    /// matching it up to where the two differ, and ends there as a token would end: at the end of the text or before
    /// a character that is not a letter or digit (a cut, an ellipsis, a quote, `%` of an encoded character). A run
    /// followed by more letters is another word that happens to share a start (`fake-tiktok-open-id` next to
    /// the secret `fake-tiktok-access-token`) and stays.
    private static func maskingPrefixes(of secret: String, in text: String) -> String {
        let head = String(secret.prefix(prefixLength))
        guard text.contains(head) else { return text }
        var result = ""
        var rest = Substring(text)
        while let range = rest.range(of: head) {
            result += rest[..<range.lowerBound]
            var end = range.upperBound
            var secretIndex = secret.index(secret.startIndex, offsetBy: prefixLength)
            while end < rest.endIndex, secretIndex < secret.endIndex, rest[end] == secret[secretIndex] {
                end = rest.index(after: end)
                secretIndex = secret.index(after: secretIndex)
            }
            let endsLikeToken = end == rest.endIndex || !(rest[end].isLetter || rest[end].isNumber)
            result += endsLikeToken ? mask : String(rest[range.lowerBound..<end])
            rest = rest[end...]
        }
        return result + rest
    }

    /// The ways a secret appears when a server echoes a request: as sent, form/query-encoded, JSON-escaped.
    private static func variants(of secret: String) -> Set<String> {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        var result: Set<String> = [secret, secret.replacingOccurrences(of: "/", with: "\\/")]
        if let encoded = secret.addingPercentEncoding(withAllowedCharacters: allowed) { result.insert(encoded) }
        return result
    }

    /// Log metadata with every value masked (nested lists and dictionaries too).
    public static func redact(metadata: Logger.Metadata) -> Logger.Metadata {
        metadata.mapValues(redact(metadataValue:))
    }

    /// One log metadata value, masked.
    public static func redact(metadataValue value: Logger.MetadataValue) -> Logger.MetadataValue {
        switch value {
        case .string(let text): .string(redact(text))
        case .stringConvertible(let convertible): .string(redact(convertible.description))
        case .array(let values): .array(values.map(redact(metadataValue:)))
        case .dictionary(let values): .dictionary(redact(metadata: values))
        }
    }

    /// A URL safe to show: no query string (signatures, tokens), no user info.
    public static func displayURL(_ url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return mask }
        components.user = nil
        components.password = nil
        if components.query != nil { components.query = nil; return (components.string ?? "") + "?…" }
        return components.string ?? mask
    }
}
