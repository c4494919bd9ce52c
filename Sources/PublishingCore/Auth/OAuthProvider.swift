import Foundation
import Logging

/// One platform's OAuth login: where to send the browser and how to turn the returned code into the
/// `.env` keys atom posts with.
///
/// The generic engine (``OAuthLogin``) owns everything the platforms share — the loopback redirect
/// receiver, the `state` check, PKCE, pasting, writing the `.env` — and asks the provider only for the
/// platform's own parts.
///
/// ## Implementing a custom OAuth provider
/// A provider for a made-up platform that stores the access token as it comes:
/// ```swift
/// struct ExampleLogin: OAuthProvider {
///     let platform = PlatformID("example")
///     let displayName = "Example"
///     let loopback = LoopbackRedirectRule(host: "127.0.0.1", path: "/callback")
///     let pkce: PKCE.ChallengeEncoding? = .base64URL
///     func authorizationURL(for request: AuthorizationRequest) throws -> URL {
///         try request.url(base: URL(string: "https://example.com/authorize")!, [
///             ("client_id", "my-client"), ("response_type", "code"), ("scope", "publish"),
///         ])
///     }
///     func redeem(_ grant: AuthorizationGrant, context: OAuthContext) async throws -> OAuthLoginResult {
///         let token = try await OAuthTokenEndpoint(url: URL(string: "https://example.com/token")!, platform: platform)
///             .exchange(grant.tokenRequestFields(clientID: "my-client", clientSecret: "s3cret"), context: context)
///         return OAuthLoginResult(values: ["EXAMPLE_ACCESS_TOKEN": try token.requireAccessToken()])
///     }
/// }
/// ```
public protocol OAuthProvider: Sendable {
    /// The platform this provider logs in to.
    var platform: PlatformID { get }
    /// The platform's name for people ("TikTok").
    var displayName: String { get }
    /// How this platform's loopback redirect URI is written (host name, path, a fixed default port).
    var loopback: LoopbackRedirectRule { get }
    /// How the platform wants the PKCE challenge written, or `nil` when it does not support PKCE.
    var pkce: PKCE.ChallengeEncoding? { get }

    /// The authorization URL the browser opens.
    /// - Parameter request: The redirect URI, `state` and PKCE challenge of this attempt.
    /// - Returns: The platform's authorization endpoint with its query.
    /// - Throws: ``PublishError`` (`configuration`) when the configured endpoint is malformed.
    func authorizationURL(for request: AuthorizationRequest) throws -> URL

    /// Exchanges the code for tokens and does any follow-up (long-lived tokens, choosing a Page).
    /// - Parameters:
    ///   - grant: The code the platform returned, with the redirect URI and PKCE verifier used.
    ///   - context: The transport, the console (for questions), the clock and a logger.
    /// - Returns: The `.env` keys to write, and notes for the user.
    /// - Throws: ``PublishError`` naming the platform.
    func redeem(_ grant: AuthorizationGrant, context: OAuthContext) async throws -> OAuthLoginResult
}

/// How a platform's loopback redirect URI is written: `http://<host>:<port><path>`.
public struct LoopbackRedirectRule: Sendable, Equatable {
    /// The host name in the URI (`127.0.0.1` or `localhost`); the receiver always binds 127.0.0.1.
    public var host: String
    /// The path, e.g. `/callback/`.
    public var path: String
    /// A fixed port for platforms that match the registered URI exactly (port included), or `nil`
    /// when any port works (a free one is picked).
    public var defaultPort: Int?

    /// Creates a rule.
    public init(host: String = "127.0.0.1", path: String = "/", defaultPort: Int? = nil) {
        self.host = host
        self.path = path.hasPrefix("/") ? path : "/" + path
        self.defaultPort = defaultPort
    }

    /// The port paste mode puts in the redirect URI when neither `--port` nor ``defaultPort`` names one
    /// (nothing listens there; the user copies the address the browser ends up on).
    public static let pastePort = 8765

    /// The redirect URI for `port`.
    public func uri(port: Int) -> URL {
        var components = URLComponents()
        components.scheme = "http"
        components.host = host
        components.port = port
        components.path = path
        // Host, port and path are ours and plain ASCII; this cannot fail.
        return components.url ?? URL(fileURLWithPath: "/")
    }
}

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
            throw PublishError(.configuration, platform: platform, message: "the authorization URL \(base.absoluteString) is not an absolute http(s) URL",
                               remediation: "fix or remove the ATOM_*_AUTH_URL override")
        }
        let existing = components.percentEncodedQuery.map { $0.isEmpty ? "" : $0 + "&" } ?? ""
        components.percentEncodedQuery = existing + FormEncoding.encode(pairs)
        guard let url = components.url else {
            throw PublishError(.configuration, platform: platform, message: "cannot build the authorization URL from \(base.absoluteString)")
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
    /// - Parameter clientIDField: The name of the client id field (`client_key` for TikTok).
    public func tokenRequestFields(clientID: String, clientSecret: String, clientIDField: String = "client_id") -> [(String, String)] {
        var fields: [(String, String)] = [
            (clientIDField, clientID), ("client_secret", clientSecret), ("code", code),
            ("grant_type", "authorization_code"), ("redirect_uri", redirectURI.absoluteString),
        ]
        if let pkce { fields.append(("code_verifier", pkce.verifier)) }
        return fields
    }
}

/// What a provider may use while redeeming a grant.
public struct OAuthContext: Sendable {
    /// The HTTP transport.
    public var transport: any HTTPTransport
    /// The terminal (questions such as "which Page?").
    public var console: LoginConsole
    /// Settings and credentials (environment over `.env`), e.g. `FACEBOOK_PAGE_ID`.
    public var credentials: any CredentialStore
    /// The wall clock, for expiry times.
    public var now: @Sendable () -> Date
    /// Trace and debug only; never secrets.
    public var logger: Logger

    public init(transport: any HTTPTransport, console: LoginConsole, credentials: any CredentialStore,
                now: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "atom.auth", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.transport = transport
        self.console = console
        self.credentials = credentials
        self.now = now
        self.logger = logger
    }
}

/// What a login produced.
public struct OAuthLoginResult: Sendable {
    /// The `.env` keys and values to write (only keys the platform owns).
    public var values: [String: String]
    /// Lines for the user (never secrets): the account or Page chosen, scopes not granted, expiry.
    public var notes: [String]

    public init(values: [String: String], notes: [String] = []) {
        self.values = values
        self.notes = notes
        for (key, value) in values where Redaction.isSecretKey(key) { Redaction.register(secret: value) }
    }
}

/// Expiry times as atom writes them to the `.env` (`…_EXPIRES_AT`): ISO 8601 in UTC, whole seconds.
public enum ExpiryTime {
    /// `now + seconds`, formatted, or `nil` when `seconds` is missing or not positive.
    public static func string(after seconds: Double?, from now: Date) -> String? {
        guard let seconds, seconds > 0 else { return nil }
        return format(now.addingTimeInterval(seconds.rounded(.down)))
    }

    /// `2026-05-01T12:00:00Z`.
    public static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        return Date(timeIntervalSince1970: seconds).formatted(.iso8601)
    }
}
