import Foundation
import OAuthLogin
import PublishingCore

/// `atom auth tiktok`: TikTok Login Kit for desktop.
///
/// Authorize at `ATOM_TIKTOK_AUTH_URL` (default `https://www.tiktok.com/v2/auth/authorize/`) with `client_key`,
/// comma-separated scopes, a loopback redirect `http://127.0.0.1:<port>/callback/` (register
/// `http://127.0.0.1:*/callback/`), `state` and PKCE — with TikTok's quirk: the `code_challenge` is the
/// **lowercase hex** SHA-256 of the verifier. The code is exchanged at `<ATOM_TIKTOK_API_BASE>/v2/oauth/token/`
/// with `client_key`, `client_secret` and `code_verifier` [TT-DESK][TT-TOK].
struct TikTokLoginProvider: OAuthProvider {
    let platform = PlatformID.tiktok
    let displayName = "TikTok"
    let loopback = LoopbackRedirectRule(host: "127.0.0.1", path: "/callback/")
    let pkce: PKCE.ChallengeEncoding? = .hexLowercase

    /// The scopes atom needs: the account's identity, direct posting and inbox uploads — nothing else.
    static let scopes = ["user.info.basic", "video.publish", "video.upload"]
    static let registration =
        "create an app at https://developers.tiktok.com (Manage apps), add Login Kit (Desktop, redirect URI "
        + "http://127.0.0.1:*/callback/) and the Content Posting API, and copy its Client key and Client secret"

    let app: OAuthApp
    let tokenURL: URL

    init(credentials store: any CredentialStore) throws {
        app = try OAuthApp(
            .tiktok, idKey: "TIKTOK_CLIENT_KEY", secretKey: "TIKTOK_CLIENT_SECRET", registration: Self.registration,
            authorizeURL: "ATOM_TIKTOK_AUTH_URL", default: "https://www.tiktok.com/v2/auth/authorize/", from: store)
        tokenURL = try store.oauthEndpointURL(
            "ATOM_TIKTOK_API_BASE", default: "https://open.tiktokapis.com", platform: .tiktok
        ).appendingOAuthPath("/v2/oauth/token/")
    }

    func authorizationURL(for request: AuthorizationRequest) throws -> URL {
        try app.authorizationURL(for: request, scopes: Self.scopes, idField: "client_key")
    }

    func redeem(_ grant: AuthorizationGrant, context: OAuthContext) async throws -> OAuthLoginResult {
        let endpoint = OAuthTokenEndpoint(url: tokenURL, platform: platform, operationID: "tiktok.oauth.token")
        let answer = try await endpoint.exchange(
            grant.tokenRequestFields(
                clientID: app.client.id, clientSecret: app.client.secret, clientIDField: "client_key"),
            context: context)
        var values = [
            "TIKTOK_ACCESS_TOKEN": try answer.requireAccessToken(),
            "TIKTOK_REFRESH_TOKEN": try answer.require("refresh_token"),
            "TIKTOK_OPEN_ID": try answer.require("open_id"),
        ]
        if let expiresAt = ExpiryTime.string(after: answer.number("expires_in"), from: context.now()) {
            values["TIKTOK_ACCESS_TOKEN_EXPIRES_AT"] = expiresAt
        }
        var notes: [String] = []
        // Users can untick scopes on the consent page; posting then fails, so say so now.
        let granted = Set(
            (answer.string("scope") ?? grant.parameters["scopes"] ?? "").split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            })
        let missing = Self.scopes.filter { !granted.isEmpty && !granted.contains($0) }
        if !missing.isEmpty {
            notes.append(
                "TikTok did not grant \(missing.joined(separator: ", ")); posting needs them — run `atom auth tiktok` again and allow every permission"
            )
        }
        if let days = answer.number("refresh_expires_in").map({ Int($0 / 86_400) }), days > 0 {
            notes.append("the refresh token lasts about \(days) days; atom refreshes the access token as it goes")
        }
        return OAuthLoginResult(values: values, notes: notes)
    }
}

extension OAuthProviderFactory {
    /// `atom auth tiktok`: TikTok Login Kit for desktop (loopback redirect, PKCE with a hex challenge).
    /// Reads `TIKTOK_CLIENT_KEY`, `TIKTOK_CLIENT_SECRET`, `ATOM_TIKTOK_AUTH_URL`, `ATOM_TIKTOK_API_BASE`; writes
    /// `TIKTOK_ACCESS_TOKEN`, `TIKTOK_REFRESH_TOKEN`, `TIKTOK_OPEN_ID`, `TIKTOK_ACCESS_TOKEN_EXPIRES_AT`.
    public static func tiktok() -> OAuthProviderFactory {
        OAuthProviderFactory(platform: PlatformID.tiktok, displayName: "TikTok") { store in
            try TikTokLoginProvider(credentials: store)
        }
    }
}
