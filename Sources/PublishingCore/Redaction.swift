import Foundation
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
            (#"(?i)(authorization:\s*)[^\r\n]+"#, "$1\(mask)"),
            (#"(?i)(upload_id=|upload_key=)[^&\s"']+"#, "$1\(mask)"),
        ]
        return specs.compactMap { spec in
            (try? NSRegularExpression(pattern: spec.0)).map { ($0, spec.1) }
        }
    }()

    /// Returns `text` with every registered secret and every known secret shape masked.
    public static func redact(_ text: String) -> String {
        var result = text
        let known = secrets.withLock { $0 }
        for secret in known.sorted(by: { $0.count > $1.count }) where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: mask)
        }
        for (regex, template) in patterns {
            let range = NSRange(result.startIndex..., in: result)
            result = regex.stringByReplacingMatches(in: result, range: range, withTemplate: template)
        }
        return result
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
