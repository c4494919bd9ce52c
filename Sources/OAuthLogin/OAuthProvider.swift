import Foundation
import PublishingCore

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
