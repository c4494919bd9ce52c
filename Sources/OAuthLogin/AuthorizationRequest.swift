import Foundation
import PublishingCore

/// What one authorization attempt sends to the platform.
public struct AuthorizationRequest: Sendable {
    /// The redirect URI (loopback or the registered one given with `--redirect-uri`).
    public var redirectURI: URL
    /// The anti-CSRF value the platform must send back unchanged.
    public var state: String
    /// The PKCE pair of this attempt, if the platform supports PKCE.
    public var pkce: PKCE?

    public init(redirectURI: URL, state: String, pkce: PKCE?) {
        self.redirectURI = redirectURI
        self.state = state
        self.pkce = pkce
    }

    /// `base` with `parameters`, then `redirect_uri`, `state` and, with PKCE, `code_challenge` and
    /// `code_challenge_method=S256` appended to its query (form-encoded).
    /// - Throws: ``PublishError`` (`configuration`) when `base` is not an absolute http(s) URL.
    public func url(base: URL, _ parameters: [(String, String)], platform: PlatformID? = nil) throws -> URL {
        var pairs = parameters
        pairs.append(("redirect_uri", redirectURI.absoluteString))
        pairs.append(("state", state))
        if let pkce {
            pairs.append(("code_challenge", pkce.challenge))
            pairs.append(("code_challenge_method", "S256"))
        }
        guard let scheme = base.scheme?.lowercased(), scheme == "https" || scheme == "http", base.host() != nil,
            var components = URLComponents(url: base, resolvingAgainstBaseURL: false)
        else {
            throw PublishError(
                .configuration, platform: platform,
                message: "the authorization URL \(base.absoluteString) is not an absolute http(s) URL",
                remediation: "fix or remove the ATOM_*_AUTH_URL override")
        }
        let existing = components.percentEncodedQuery.map { $0.isEmpty ? "" : $0 + "&" } ?? ""
        components.percentEncodedQuery = existing + FormEncoding.encode(pairs)
        guard let url = components.url else {
            throw PublishError(
                .configuration, platform: platform,
                message: "cannot build the authorization URL from \(base.absoluteString)")
        }
        return url
    }
}

/// The authorization code the platform returned, with what the exchange must repeat.
public struct AuthorizationGrant: Sendable {
    /// The authorization code (already percent-decoded).
    public var code: String
    /// The redirect URI the authorization used; exchanges must send it again, byte for byte.
    public var redirectURI: URL
    /// The PKCE pair, whose verifier the exchange sends.
    public var pkce: PKCE?
    /// Every other parameter of the redirect (`scopes`, `granted_scopes`, …).
    public var parameters: [String: String]

    public init(code: String, redirectURI: URL, pkce: PKCE?, parameters: [String: String] = [:]) {
        self.code = code
        self.redirectURI = redirectURI
        self.pkce = pkce
        self.parameters = parameters
        Redaction.register(secret: code)
    }

    /// The standard RFC 6749 §4.1.3 fields: `client_id`, `client_secret`, `code`,
    /// `grant_type=authorization_code`, `redirect_uri` and, with PKCE, `code_verifier`.
    /// - Parameters:
    ///   - clientID: The app's client id.
    ///   - clientSecret: The app's client secret.
    ///   - clientIDField: The name of the client id field (`client_key` for TikTok).
    /// - Returns: The form fields, in that order.
    public func tokenRequestFields(
        clientID: String, clientSecret: String, clientIDField: String = "client_id"
    ) -> [(String, String)] {
        var fields: [(String, String)] = [
            (clientIDField, clientID), ("client_secret", clientSecret), ("code", code),
            ("grant_type", "authorization_code"), ("redirect_uri", redirectURI.absoluteString),
        ]
        if let pkce { fields.append(("code_verifier", pkce.verifier)) }
        return fields
    }
}
