import Foundation
import PlatformKit
import PublishingCore

/// A strict loopback fake of Business Login for Instagram, for `atom auth instagram`.
///
/// Mount ``services``: the consent page at `/instagram-auth/oauth/authorize` (a ``FakeConsent``: no PKCE, the
/// `#_` Instagram appends to redirects) and the code exchange at `/instagram-oauth/oauth/access_token`
/// (`api.instagram.com`: a form POST with `client_id`, `client_secret`, `grant_type=authorization_code`,
/// `redirect_uri` and `code` → a short-lived token in `{"data": [{"access_token", "user_id", "permissions"}]}`;
/// errors as `{"error_type", "code", "error_message"}`), and on the Instagram API host (`/instagram`, shared with the
/// Instagram fake) the long-lived exchange `GET /access_token?grant_type=ig_exchange_token` of the tokens it issued.
public final class FakeInstagramLogin: Sendable {
    /// The fake's app and account; by default the sandbox's.
    public struct Configuration: Sendable {
        public var appID: String = "sandbox-instagram-app-id"
        public var appSecret: String = "sandbox-instagram-app-secret"
        /// The account that logs in (the Instagram fake's sandbox account by default).
        public var userID: String = "17841400000000001"
        public var username: String = "atom.sandbox"
        /// The long-lived token the `ig_exchange_token` step issues (the Instagram fake's sandbox token by default).
        public var longLivedToken: String = "sandbox-instagram-access-token"
    }

    public static let consentMountPath = "/instagram-auth"
    public static let oauthMountPath = "/instagram-oauth"

    public let configuration: Configuration
    /// The consent page's rules and state.
    public let consent: FakeConsent
    private let state = LockedBox<(short: Set<String>, issued: Int)>(([], 0))

    /// Creates the fake with the sandbox's app and account.
    /// - Parameter registeredRedirects: Redirect URIs registered for the app besides loopback ones.
    public convenience init(registeredRedirects: [String] = []) {
        self.init(configuration: Configuration(), registeredRedirects: registeredRedirects)
    }

    /// Creates the fake with another app or account (the sandbox's plug-in logs in to the Instagram fake's account).
    init(configuration: Configuration, registeredRedirects: [String] = []) {
        self.configuration = configuration
        consent = FakeConsent(
            profile: .instagram(
                appID: configuration.appID,
                redirects: [.loopback] + registeredRedirects.map(FakeConsent.RedirectRule.exact)))
    }

    /// The Instagram API host's mount (shared with the Instagram fake, which leaves `/access_token` to this one).
    public static let apiMountPath = "/instagram"

    /// The consent page, the code exchange and the long-lived exchange.
    public var services: [any FakeService] {
        [consentService, ExchangeService(fake: self), LongLivedService(fake: self)]
    }

    /// The consent page.
    public var consentService: FakeConsentService {
        FakeConsentService(
            consent, mountPath: Self.consentMountPath, path: "/oauth/authorize",
            environmentKey: "ATOM_INSTAGRAM_AUTH_URL")
    }

    /// Whether `token` is a short-lived token this fake issued and not yet exchanged; a good one is used up.
    public func redeemShortLivedToken(_ token: String) -> Bool {
        state.withLock { $0.short.remove(token) != nil }
    }

    /// `GET /instagram/access_token?grant_type=ig_exchange_token&client_secret=…&access_token=<short-lived>` → the
    /// 60-day token (the Instagram fake's sandbox token, so posting works after `atom auth instagram`).
    struct LongLivedService: FakeService {
        let fake: FakeInstagramLogin
        var mountPath: String { FakeInstagramLogin.apiMountPath }

        func handle(_ request: FakeRequest) async throws -> FakeResponse? {
            guard request.path == "/access_token" else { return nil }
            func error(_ code: Int, _ message: String) -> FakeResponse {
                .json(
                    400,
                    .object([
                        "error": .object([
                            "message": .string(message), "type": .string("OAuthException"),
                            "code": .number(Double(code)),
                            "fbtrace_id": .string("sandbox-fbtrace-ig-exchange"),
                        ])
                    ]))
            }
            guard request.method == "GET" else {
                return error(100, "Unsupported \(request.method.lowercased()) request")
            }
            guard request.query("grant_type") == "ig_exchange_token" else {
                return error(100, "Invalid grant_type: expected ig_exchange_token")
            }
            guard request.query("client_secret") == fake.configuration.appSecret else {
                return error(101, "Error validating client secret.")
            }
            guard let token = request.query("access_token"), fake.redeemShortLivedToken(token) else {
                return error(190, "Invalid OAuth access token - Cannot parse access token")
            }
            return .json(
                200,
                .object([
                    "access_token": .string(fake.configuration.longLivedToken), "token_type": .string("bearer"),
                    "expires_in": .number(5_183_944),
                ]))
        }
    }

    struct ExchangeService: FakeService {
        let fake: FakeInstagramLogin
        var mountPath: String { FakeInstagramLogin.oauthMountPath }

        func handle(_ request: FakeRequest) async throws -> FakeResponse? {
            guard request.path == "/oauth/access_token" else { return nil }
            guard request.method == "POST" else {
                return Self.error(405, "OAuthException", "Unsupported method; use POST")
            }
            guard request.header("Content-Type")?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true
            else {
                return Self.error(400, "OAuthException", "Content-Type must be application/x-www-form-urlencoded")
            }
            let fields = Dictionary(try await request.formFields(), uniquingKeysWith: { first, _ in first })
            let configuration = fake.configuration
            guard fields["client_id"] == configuration.appID, fields["client_secret"] == configuration.appSecret else {
                return Self.error(400, "OAuthException", "Invalid platform app")
            }
            guard fields["grant_type"] == "authorization_code" else {
                return Self.error(400, "OAuthException", "Invalid grant_type: must be authorization_code")
            }
            switch await fake.consent.redeem(
                code: fields["code"], clientID: fields["client_id"], redirectURI: fields["redirect_uri"], verifier: nil)
            {
            case .refused(_, let description):
                return Self.error(
                    400, "OAuthException",
                    description.contains("redirect_uri")
                        ? "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request"
                        : "Invalid authorization code (\(description))")
            case .granted(let authorization):
                let token = fake.state.withLock { state -> String in
                    state.issued += 1
                    let token = "sandbox-instagram-short-token-\(state.issued)"
                    state.short.insert(token)
                    return token
                }
                // `user_id` is a JSON number wider than a double's 53 bits, as Instagram sends it: written by hand.
                let body =
                    #"{"data":[{"access_token":"\#(token)","user_id":\#(configuration.userID),"permissions":"\#(authorization.scopes.joined(separator: ","))"}]}"#
                return FakeResponse(
                    status: 200, headers: [("Content-Type", "application/json; charset=UTF-8")],
                    body: .bytes(Array(body.utf8)))
            }
        }

        func sandboxEnvironment(server: FakeServer) -> [String: String] {
            [
                "INSTAGRAM_APP_ID": fake.configuration.appID, "INSTAGRAM_APP_SECRET": fake.configuration.appSecret,
                "ATOM_INSTAGRAM_AUTH_URL": fake.consentService.authorizationURL(server: server),
                "ATOM_INSTAGRAM_OAUTH_BASE": server.baseURL(for: FakeInstagramLogin.oauthMountPath).absoluteString,
            ]
        }

        static func error(_ status: Int, _ type: String, _ message: String) -> FakeResponse {
            .json(
                status,
                .object([
                    "error_type": .string(type), "code": .number(Double(status)), "error_message": .string(message),
                ]))
        }
    }
}
