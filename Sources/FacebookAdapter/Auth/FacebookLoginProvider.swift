import Foundation
import GraphAPISupport
import OAuthLogin
import PublishingCore

/// `atom auth facebook`: Facebook Login for a Page [FB-LL].
///
/// The login dialog asks for `pages_show_list`, `pages_read_engagement` and `pages_manage_posts`; the code
/// becomes a long-lived user token (`fb_exchange_token`), and `GET /me/accounts` gives the Page's token, which
/// has no expiry date. The Page is `FACEBOOK_PAGE_ID` when set, the only one granted, or the user's choice.
struct FacebookLoginProvider: OAuthProvider {
    let platform = PlatformID.facebook
    let displayName = "Facebook"
    let loopback = FacebookLogin.loopback
    let pkce: PKCE.ChallengeEncoding? = nil

    /// List the Pages, read them, post to them — nothing else.
    /// `business_management` lets atom find Pages held in a business portfolio (`/me/businesses`).
    static let scopes = postingScopes + ["business_management"]
    /// What posting to a Page needs; `business_management` only helps find the Page at login, so a grant without it
    /// still posts (`atom auth status` does not ask for it).
    static let postingScopes = ["pages_show_list", "pages_read_engagement", "pages_manage_posts"]

    let login: FacebookLogin

    init(credentials store: any CredentialStore) throws {
        login = try FacebookLogin(credentials: store, platform: PlatformID.facebook, scopes: Self.scopes)
    }

    func authorizationURL(for request: AuthorizationRequest) throws -> URL { try login.authorizationURL(for: request) }

    func redeem(_ grant: AuthorizationGrant, context: OAuthContext) async throws -> OAuthLoginResult {
        let (_, page) = try await login.userAndPage(grant, context: context)
        guard let pageToken = page.accessToken else {
            throw PublishError(
                .permissionDenied, platform: platform,
                message: "Facebook gave no access token for the Page \(page.name) (\(page.id))",
                remediation: "make sure you can create content on that Page, then run `atom auth facebook` again")
        }
        var notes = [
            "Page: \(page.name) (\(page.id)); Page tokens from a long-lived login do not expire, but die on a password change or role removal"
        ]
        if let tasks = page.tasks, !tasks.contains("CREATE_CONTENT") {
            notes.append(
                "your role on \(page.name) lacks CREATE_CONTENT (tasks: \(tasks.joined(separator: ", "))); posting will be refused"
            )
        }
        return OAuthLoginResult(
            values: ["FACEBOOK_PAGE_ID": page.id, "FACEBOOK_PAGE_ACCESS_TOKEN": pageToken], notes: notes)
    }
}

extension OAuthProviderFactory {
    /// `atom auth facebook`: Facebook Login, a long-lived user token, then the Page's token.
    /// Reads `FACEBOOK_APP_ID`, `FACEBOOK_APP_SECRET`, `FACEBOOK_PAGE_ID` (optional), `ATOM_FACEBOOK_AUTH_URL`,
    /// `ATOM_GRAPH_API_BASE`, `ATOM_GRAPH_API_VERSION`; writes `FACEBOOK_PAGE_ID`, `FACEBOOK_PAGE_ACCESS_TOKEN`.
    public static func facebook() -> OAuthProviderFactory {
        OAuthProviderFactory(platform: PlatformID.facebook, displayName: "Facebook") { store in
            try FacebookLoginProvider(credentials: store)
        }
    }
}
