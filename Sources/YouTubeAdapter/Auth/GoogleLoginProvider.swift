import Foundation
import OAuthLogin
import PublishingCore

/// `atom auth youtube`: Google's OAuth flow for installed (desktop) apps [YT-AUTH].
///
/// Authorize at `ATOM_GOOGLE_AUTH_URL` (default `https://accounts.google.com/o/oauth2/v2/auth`) with a loopback
/// redirect `http://127.0.0.1:<any port>/` (Desktop-app clients need no registered URI), `state`, PKCE with the
/// RFC 7636 base64url challenge, `access_type=offline` and `prompt=consent` (so a refresh token always comes
/// back, also on a second login). The code is exchanged at `ATOM_GOOGLE_TOKEN_URL`
/// (default `https://oauth2.googleapis.com/token`).
struct GoogleLoginProvider: OAuthProvider {
    let platform = PlatformID.youtube
    let displayName = "YouTube"
    let loopback = LoopbackRedirectRule(host: "127.0.0.1", path: "/")
    let pkce: PKCE.ChallengeEncoding? = .base64URL

    /// Upload videos, and read the channel's own videos (processing status) — nothing else.
    static let scopes = [
        "https://www.googleapis.com/auth/youtube.upload", "https://www.googleapis.com/auth/youtube.readonly",
    ]
    static let registration =
        "in the Google Cloud console enable the YouTube Data API v3, configure the OAuth consent screen, "
        + "and create an OAuth client ID of type Desktop app (APIs & Services › Credentials)"

    let app: OAuthApp
    let tokenURL: URL

    init(credentials store: any CredentialStore) throws {
        app = try OAuthApp(
            .youtube, idKey: "YOUTUBE_CLIENT_ID", secretKey: "YOUTUBE_CLIENT_SECRET", registration: Self.registration,
            authorizeURL: "ATOM_GOOGLE_AUTH_URL", default: "https://accounts.google.com/o/oauth2/v2/auth", from: store)
        tokenURL = try store.oauthEndpointURL(
            "ATOM_GOOGLE_TOKEN_URL", default: "https://oauth2.googleapis.com/token", platform: .youtube)
    }

    func authorizationURL(for request: AuthorizationRequest) throws -> URL {
        try app.authorizationURL(
            for: request, scopes: Self.scopes, separator: " ",
            extra: [("access_type", "offline"), ("prompt", "consent")])
    }

    func redeem(_ grant: AuthorizationGrant, context: OAuthContext) async throws -> OAuthLoginResult {
        let endpoint = OAuthTokenEndpoint(url: tokenURL, platform: platform, operationID: "youtube.oauth.token")
        let answer = try await endpoint.exchange(
            grant.tokenRequestFields(clientID: app.client.id, clientSecret: app.client.secret), context: context)
        guard let refreshToken = answer.string("refresh_token") else {
            throw PublishError(
                .authentication, platform: platform, operationID: "youtube.oauth.token",
                message: "Google returned no refresh token, so atom could not keep access",
                remediation:
                    "remove atom's access at https://myaccount.google.com/permissions and run `atom auth youtube` again"
            )
        }
        var values = ["YOUTUBE_REFRESH_TOKEN": refreshToken, "YOUTUBE_ACCESS_TOKEN": try answer.requireAccessToken()]
        if let expiresAt = ExpiryTime.string(after: answer.number("expires_in"), from: context.now()) {
            values["YOUTUBE_ACCESS_TOKEN_EXPIRES_AT"] = expiresAt
        }
        var notes: [String] = []
        // Google lets users untick scopes (granular consent); uploads need youtube.upload.
        if let scope = answer.string("scope") {
            let granted = Set(scope.split(separator: " ").map(String.init))
            let missing = Self.scopes.filter { !granted.contains($0) }
            if !missing.isEmpty {
                notes.append(
                    "Google did not grant \(missing.map { $0.replacingOccurrences(of: "https://www.googleapis.com/auth/", with: "") }.joined(separator: ", ")); "
                        + "run `atom auth youtube` again and allow every permission")
            }
        }
        notes.append(
            "while the OAuth consent screen is in Testing, Google expires refresh tokens after 7 days; publish the app (In production) to keep them"
        )
        return OAuthLoginResult(values: values, notes: notes)
    }
}

extension OAuthProviderFactory {
    /// `atom auth youtube`: Google's installed-app flow (loopback redirect, PKCE, offline access).
    /// Reads `YOUTUBE_CLIENT_ID`, `YOUTUBE_CLIENT_SECRET`, `ATOM_GOOGLE_AUTH_URL`, `ATOM_GOOGLE_TOKEN_URL`; writes
    /// `YOUTUBE_REFRESH_TOKEN`, `YOUTUBE_ACCESS_TOKEN`, `YOUTUBE_ACCESS_TOKEN_EXPIRES_AT`.
    public static func youtube() -> OAuthProviderFactory {
        OAuthProviderFactory(platform: .youtube, displayName: "YouTube") { store in
            try GoogleLoginProvider(credentials: store)
        }
    }
}
