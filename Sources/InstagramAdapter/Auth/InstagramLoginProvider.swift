import Foundation
import GraphAPISupport
import HTTPTypes
import Logging
import OAuthLogin
import PublishingCore

/// `atom auth instagram`: Instagram API with Instagram Login (Business Login for Instagram) [IG-AT].
///
/// Authorize at `ATOM_INSTAGRAM_AUTH_URL` (default `https://www.instagram.com/oauth/authorize`) with the
/// Instagram app id, `instagram_business_basic` and `instagram_business_content_publish`; exchange the code at
/// `ATOM_INSTAGRAM_OAUTH_BASE/oauth/access_token` (a 1-hour token), then get the 60-day token with
/// `GET ATOM_INSTAGRAM_API_BASE/access_token?grant_type=ig_exchange_token`. Meta registers redirect URIs exactly
/// and documents no PKCE for this flow; redirect URIs must be https, so this flow usually runs with
/// `--redirect-uri https://…` (paste mode).
struct InstagramLoginProvider: OAuthProvider {
    let platform = PlatformID.instagram
    let displayName = "Instagram"
    let loopback = LoopbackRedirectRule(host: "localhost", path: "/callback/", defaultPort: 8765)
    let pkce: PKCE.ChallengeEncoding? = nil

    /// Read the professional account, publish to it — nothing else.
    static let scopes = ["instagram_business_basic", "instagram_business_content_publish"]
    static let registration =
        "create a Business app at https://developers.facebook.com/apps, add the Instagram product "
        + "(API setup with Instagram login), and copy the Instagram app ID and Instagram app secret from its Business login settings"

    let app: OAuthApp
    let oauthBaseURL: URL
    let apiBaseURL: URL
    let version: String

    init(credentials store: any CredentialStore) throws {
        app = try OAuthApp(
            .instagram, idKey: "INSTAGRAM_APP_ID", secretKey: "INSTAGRAM_APP_SECRET", registration: Self.registration,
            authorizeURL: "ATOM_INSTAGRAM_AUTH_URL", default: "https://www.instagram.com/oauth/authorize", from: store)
        oauthBaseURL = try store.oauthEndpointURL(
            "ATOM_INSTAGRAM_OAUTH_BASE", default: "https://api.instagram.com", platform: .instagram)
        apiBaseURL = try store.oauthEndpointURL(
            "ATOM_INSTAGRAM_API_BASE", default: "https://graph.instagram.com", platform: .instagram)
        version = try store.nonEmpty("ATOM_GRAPH_API_VERSION") ?? GraphAPIVersion.default
    }

    func authorizationURL(for request: AuthorizationRequest) throws -> URL {
        try app.authorizationURL(for: request, scopes: Self.scopes)
    }

    /// Errors of `api.instagram.com` (`{"error_type", "code", "error_message"}`) and of the Graph hosts.
    private static func errors(_ operation: String) -> OAuthTokenEndpoint.ErrorMapper {
        { status, body in
            let platform = PlatformID.instagram
            if let object = (try? JSONDecoder().decode(JSONValue.self, from: Data(body)))?.objectValue,
                let message = object["error_message"]?.stringValue
            {
                return PublishError(
                    status >= 500 ? .server : .authentication, platform: platform, operationID: operation,
                    httpStatus: status,
                    platformCode: object["error_type"]?.stringValue
                        ?? object["code"]?.numberValue.map { String(Int($0)) },
                    message: "the token exchange failed: \(message)",
                    remediation:
                        "check that the redirect URI is registered exactly under Business login settings, then run `atom auth instagram` again",
                    retryable: status >= 500)
            }
            guard GraphAPIError.parse(body) != nil else { return nil }
            return GraphErrorMapper(platform: platform, reauthorize: "run `atom auth instagram`")
                .map(status: status, body: body, headers: [:], operationID: operation)
        }
    }

    func redeem(_ grant: AuthorizationGrant, context: OAuthContext) async throws -> OAuthLoginResult {
        let exchange = OAuthTokenEndpoint(
            url: oauthBaseURL.appendingOAuthPath("/oauth/access_token"), platform: platform,
            operationID: "instagram.oauth.exchange", mapError: Self.errors("instagram.oauth.exchange"))
        let short = try await exchange.exchange(
            grant.tokenRequestFields(clientID: app.client.id, clientSecret: app.client.secret), context: context)
        // The answer is `{"access_token", "user_id", "permissions"}`, or the same wrapped in `{"data": [ … ]}`.
        let first = short.fields["data"].flatMap { value -> [String: JSONValue]? in
            if case .array(let items) = value { return items.first?.objectValue }
            return nil
        }
        let shortAnswer =
            first.map {
                OAuthTokenResponse(
                    fields: $0, platform: platform, operationID: "instagram.oauth.exchange", raw: short.raw)
            } ?? short
        let shortToken = try shortAnswer.requireAccessToken()
        Redaction.register(secret: shortToken)

        let longEndpoint = OAuthTokenEndpoint(
            url: apiBaseURL.appendingOAuthPath("/access_token"), platform: platform,
            operationID: "instagram.oauth.long_lived", mapError: Self.errors("instagram.oauth.long_lived"))
        // Documented as a GET with the token in the query: the token is the subject of the call.
        let long = try await longEndpoint.get(
            [("grant_type", "ig_exchange_token"), ("client_secret", app.client.secret), ("access_token", shortToken)],
            context: context)
        let token = try long.requireAccessToken()

        // The professional account id that publishing uses (`/me?fields=user_id`); the exchange's `user_id` is the fallback.
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(token)"
        let me = OAuthTokenEndpoint(
            url: apiBaseURL.appendingOAuthPath("/\(version)/me"), platform: platform, operationID: "instagram.oauth.me",
            mapError: Self.errors("instagram.oauth.me"))
        let profile: OAuthTokenResponse?
        do {
            profile = try await me.get([("fields", "user_id,username")], headers: headers, context: context)
        } catch let error as PublishError where shortAnswer.string("user_id") != nil {
            context.logger.debug("instagram: /me failed, using the exchange's user_id", metadata: ["error": "\(error)"])
            profile = nil
        }
        guard let userID = profile?.string("user_id") ?? shortAnswer.string("user_id") else {
            throw PublishError(
                .protocolViolation, platform: platform, operationID: "instagram.oauth.me",
                message: "Instagram did not say which account logged in")
        }
        var values = ["INSTAGRAM_ACCESS_TOKEN": token, "INSTAGRAM_USER_ID": userID, "INSTAGRAM_LOGIN": "instagram"]
        if let expiresAt = ExpiryTime.string(after: long.number("expires_in"), from: context.now()) {
            values["INSTAGRAM_ACCESS_TOKEN_EXPIRES_AT"] = expiresAt
        }
        var notes: [String] = []
        if let username = profile?.string("username") { notes.append("Instagram account: @\(username) (\(userID))") }
        notes.append("the token lasts 60 days; atom refreshes it when it is older than a day and close to expiry")
        return OAuthLoginResult(values: values, notes: notes)
    }
}

/// `atom auth instagram --facebook-login` (or `INSTAGRAM_LOGIN=facebook`): Instagram API with Facebook Login.
///
/// Facebook Login with `instagram_basic`, `instagram_content_publish`, `pages_show_list` and
/// `pages_read_engagement`; the long-lived user token (about 60 days — the documented token type for these
/// endpoints) and the Instagram account linked to the chosen Page (`GET /{page-id}?fields=instagram_business_account`).
struct InstagramFacebookLoginProvider: OAuthProvider {
    let platform = PlatformID.instagram
    let displayName = "Instagram (Facebook Login)"
    let loopback = FacebookLogin.loopback
    let pkce: PKCE.ChallengeEncoding? = nil

    static let scopes = [
        "instagram_basic", "instagram_content_publish", "pages_show_list", "pages_read_engagement", "business_management",
    ]

    let login: FacebookLogin

    init(credentials store: any CredentialStore) throws {
        var login = try FacebookLogin(credentials: store, platform: PlatformID.instagram, scopes: Self.scopes)
        login.command = "atom auth instagram --facebook-login"
        self.login = login
    }

    func authorizationURL(for request: AuthorizationRequest) throws -> URL { try login.authorizationURL(for: request) }

    func redeem(_ grant: AuthorizationGrant, context: OAuthContext) async throws -> OAuthLoginResult {
        let (user, page) = try await login.userAndPage(grant, context: context)
        let accountID = try await login.instagramAccount(of: page, userToken: user.token, context: context)
        var values = [
            "INSTAGRAM_ACCESS_TOKEN": user.token, "INSTAGRAM_USER_ID": accountID, "INSTAGRAM_LOGIN": "facebook",
        ]
        if let expiresAt = ExpiryTime.string(after: user.expiresIn, from: context.now()) {
            values["INSTAGRAM_ACCESS_TOKEN_EXPIRES_AT"] = expiresAt
        }
        return OAuthLoginResult(
            values: values,
            notes: [
                "Instagram account \(accountID), linked to the Page \(page.name) (\(page.id))",
                "the Facebook Login token lasts about 60 days; run `atom auth instagram --facebook-login` again before it expires",
            ])
    }
}

extension OAuthProviderFactory {
    /// `atom auth instagram`: Instagram Login by default; Facebook Login when `INSTAGRAM_LOGIN=facebook`
    /// (the CLI's `--facebook-login` sets it for the run).
    /// Reads `INSTAGRAM_APP_ID`/`INSTAGRAM_APP_SECRET` (or `FACEBOOK_APP_ID`/`FACEBOOK_APP_SECRET` and optional
    /// `FACEBOOK_PAGE_ID`) and the endpoint overrides; writes `INSTAGRAM_ACCESS_TOKEN`, `INSTAGRAM_USER_ID`,
    /// `INSTAGRAM_ACCESS_TOKEN_EXPIRES_AT` and `INSTAGRAM_LOGIN`.
    public static func instagram() -> OAuthProviderFactory {
        OAuthProviderFactory(platform: PlatformID.instagram, displayName: "Instagram") { store in
            switch try store.nonEmpty("INSTAGRAM_LOGIN")?.lowercased() {
            case nil, "instagram": return try InstagramLoginProvider(credentials: store)
            case "facebook": return try InstagramFacebookLoginProvider(credentials: store)
            case let other?:
                throw PublishError(
                    .configuration, platform: PlatformID.instagram,
                    message: "INSTAGRAM_LOGIN must be instagram or facebook (got \(other))")
            }
        }
    }
}
