import Foundation
import PublishingCore

/// What the user pasted in paste mode (`--no-browser`, `--redirect-uri`).
public enum PastedRedirect: Sendable, Equatable {
    /// A redirect URL (or its query), to be checked like a loopback callback.
    case callback(RedirectCallback)
    /// A bare authorization code; its `state` cannot be checked (the user copied it from their own browser).
    case code(String)
    /// Nothing usable.
    case empty

    /// Parses a pasted line: a full redirect URL, a query string, or a bare code.
    public static func parse(_ text: String) -> PastedRedirect {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return .empty }
        if trimmed.contains("://") {
            guard let components = URLComponents(string: trimmed) else { return .empty }
            var query = components.percentEncodedQuery ?? ""
            // Some servers send the parameters in the fragment; Instagram appends a bare `#_`.
            if let fragment = components.percentEncodedFragment, fragment.contains("=") {
                query += (query.isEmpty ? "" : "&") + fragment
            }
            let callback = RedirectCallback(query: query)
            return callback.isAuthorizationResponse ? .callback(callback) : .empty
        }
        let query = trimmed.hasPrefix("?") ? String(trimmed.dropFirst()) : trimmed
        if query.contains("=") {
            let callback = RedirectCallback(query: query)
            return callback.isAuthorizationResponse ? .callback(callback) : .empty
        }
        var code = trimmed.contains("%") ? (trimmed.removingPercentEncoding ?? trimmed) : trimmed
        if code.hasSuffix("#_") { code.removeLast(2) }
        // Codes are URL-safe tokens (Google's start with `4/`, TikTok's carry `*` and `!`); anything else is a typo.
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~*/!+=")
        guard code.count >= 4, code.allSatisfy(allowed.contains) else { return .empty }
        return .code(code)
    }
}
