import Foundation
import HTTPTypes
import OAuthLogin
import PublishingCore

/// Facebook Login's manual flow, shared by `atom auth facebook` and `atom auth instagram --facebook-login`:
/// the login dialog, the code exchange, the long-lived user token (`fb_exchange_token`), the Page choice
/// and the Instagram account linked to a Page.
///
/// Meta documents the exchanges as `GET …/oauth/access_token` with query parameters; atom follows the
/// documentation (the URLs are never logged, and redaction masks `client_secret`, `code` and tokens).
/// Facebook Login's PKCE support is documented only for the OIDC flow "still in testing", so this flow
/// relies on `state` and the app secret.
package struct FacebookLogin: Sendable {
    /// A Page the login may post as.
    package struct Page: Sendable, Equatable {
        package var id: String
        package var name: String
        package var accessToken: String?
        package var tasks: [String]?
    }

    /// The app (`FACEBOOK_APP_ID`, `FACEBOOK_APP_SECRET`).
    package var app: OAuthClientCredentials
    /// The login dialog (`ATOM_FACEBOOK_AUTH_URL`, default `https://www.facebook.com/<version>/dialog/oauth`).
    package var dialogURL: URL
    /// The Graph API base (`ATOM_GRAPH_API_BASE`).
    package var graphBaseURL: URL
    /// The Graph API version (`ATOM_GRAPH_API_VERSION`).
    package var version: String
    /// The permissions asked for.
    package var scopes: [String]
    /// The platform whose login this is (for errors).
    package var platform: PlatformID
    /// The command that starts over.
    package var command: String

    /// Where the app id and secret come from.
    package static let registration =
        "create a Business app at https://developers.facebook.com/apps, add the Facebook Login product, "
        + "and copy the App ID and App Secret from App settings › Basic"

    /// The redirect URI rule: `http://localhost:8765/callback/` (Facebook matches registered URIs exactly, so the
    /// port is fixed; `localhost` redirects are allowed while the app is in Development mode).
    package static let loopback = LoopbackRedirectRule(host: "localhost", path: "/callback/", defaultPort: 8765)

    /// Reads the app and the endpoints.
    /// - Throws: ``PublishError`` (`configuration`) naming missing keys or a malformed override.
    package init(credentials store: any CredentialStore, platform: PlatformID, scopes: [String]) throws {
        app = try OAuthClientCredentials.load(
            idKey: "FACEBOOK_APP_ID", secretKey: "FACEBOOK_APP_SECRET", from: store,
            platform: platform, whereToGetThem: Self.registration)
        let version = try store.nonEmpty("ATOM_GRAPH_API_VERSION") ?? GraphAPIVersion.default
        guard version.range(of: #"^v\d+\.\d+$"#, options: .regularExpression) != nil else {
            throw PublishError(
                .configuration, platform: platform,
                message: "ATOM_GRAPH_API_VERSION must look like v24.0 (got \(version))")
        }
        self.version = version
        dialogURL = try store.oauthEndpointURL(
            "ATOM_FACEBOOK_AUTH_URL", default: "https://www.facebook.com/\(version)/dialog/oauth", platform: platform)
        graphBaseURL = try store.oauthEndpointURL(
            "ATOM_GRAPH_API_BASE", default: "https://graph.facebook.com", platform: platform)
        self.scopes = scopes
        self.platform = platform
        command = "atom auth \(platform)"
    }

    /// The login dialog URL.
    package func authorizationURL(for request: AuthorizationRequest) throws -> URL {
        try request.url(
            base: dialogURL,
            [
                ("client_id", app.id), ("response_type", "code"), ("scope", scopes.joined(separator: ",")),
            ], platform: platform)
    }

    private func graphURL(_ path: String) -> URL { graphBaseURL.appendingOAuthPath("/\(version)\(path)") }

    private func oauthErrors(_ operation: String) -> OAuthTokenEndpoint.ErrorMapper {
        let platform = platform
        let command = command
        return { status, body in
            guard let error = GraphAPIError.parse(body) else { return nil }
            let code = error.code.map(String.init) ?? "OAuthException"
            return PublishError(
                status >= 500 || error.isTransient == true ? .server : .authentication, platform: platform,
                operationID: operation,
                httpStatus: status, platformCode: error.errorSubcode.map { "\(code)/\($0)" } ?? code,
                message:
                    "\(operation == "\(platform).oauth.exchange" ? "the code exchange" : "the long-lived token exchange") failed: "
                    + (error.errorUserMsg ?? error.message ?? "unknown error"),
                remediation:
                    "check that the redirect URI is listed under Facebook Login › Valid OAuth Redirect URIs, then run `\(command)` again",
                retryable: status >= 500, diagnosticID: error.fbtraceID)
        }
    }

    /// The login after the redirect: the long-lived user token, and the Page chosen among those granted.
    package func userAndPage(_ grant: AuthorizationGrant, context: OAuthContext) async throws -> (
        user: (token: String, expiresIn: Double?), page: Page
    ) {
        let user = try await longLivedUserToken(grant, context: context)
        let page = try await choosePage(from: try await pages(userToken: user.token, context: context), context: context)
        return (user, page)
    }

    /// Exchanges the code for a short-lived user token, then that for a long-lived one (about 60 days).
    /// - Returns: The long-lived user token and its lifetime in seconds, if Meta gave one.
    package func longLivedUserToken(_ grant: AuthorizationGrant, context: OAuthContext) async throws -> (
        token: String, expiresIn: Double?
    ) {
        let exchange = OAuthTokenEndpoint(
            url: graphURL("/oauth/access_token"), platform: platform, command: command,
            operationID: "\(platform).oauth.exchange", mapError: oauthErrors("\(platform).oauth.exchange"))
        let short = try await exchange.get(
            [
                ("client_id", app.id), ("redirect_uri", grant.redirectURI.absoluteString),
                ("client_secret", app.secret), ("code", grant.code),
            ], context: context
        ).requireAccessToken()
        let extend = OAuthTokenEndpoint(
            url: graphURL("/oauth/access_token"), platform: platform, command: command,
            operationID: "\(platform).oauth.long_lived", mapError: oauthErrors("\(platform).oauth.long_lived"))
        let long = try await extend.get(
            [
                ("grant_type", "fb_exchange_token"), ("client_id", app.id), ("client_secret", app.secret),
                ("fb_exchange_token", short),
            ], context: context)
        return (try long.requireAccessToken(), long.number("expires_in"))
    }

    /// Every Page the user granted (`GET /me/accounts`, following the cursor up to 1,000 Pages).
    package func pages(userToken: String, context: OAuthContext) async throws -> [Page] {
        var pages: [Page] = []
        var after: String?
        for _ in 0..<10 {
            var query = [("fields", "id,name,access_token,tasks"), ("limit", "100")]
            if let after { query.append(("after", after)) }
            let answer: GraphList<GraphPageEntry> = try await graphGET(
                "/me/accounts", query: query, token: userToken, operation: "\(platform).oauth.pages", context: context)
            pages += answer.data.map(\.page)
            guard answer.paging?.next != nil, let cursor = answer.paging?.cursors?.after, !answer.data.isEmpty else {
                break
            }
            after = cursor
        }
        pages += try await businessPages(userToken: userToken, known: Set(pages.map(\.id)), context: context)
        for page in pages { if let token = page.accessToken { Redaction.register(secret: token) } }
        return pages
    }

    /// Pages reached through the user's business portfolios: `/me/businesses`, then each business's `owned_pages`
    /// and `client_pages` (needs `business_management`). `/me/accounts` lists only Pages the user has a direct role
    /// on, so a Page managed in Business Manager is found only here (Graph API reference, Business › Owned Pages
    /// and Client Pages). Without the permission Meta answers an error: then only `/me/accounts` counts.
    private func businessPages(userToken: String, known: Set<String>, context: OAuthContext) async throws -> [Page] {
        struct Business: Decodable { var id: String }
        let businesses: GraphList<Business>
        do {
            businesses = try await graphGET(
                "/me/businesses", query: [("fields", "id,name"), ("limit", "100")], token: userToken,
                operation: "\(platform).oauth.businesses", context: context)
        } catch let error as PublishError where error.code == .permissionDenied || error.code == .rejected {
            return []
        }
        var found: [Page] = []
        var seen = known
        for business in businesses.data.prefix(25) {
            for edge in ["owned_pages", "client_pages"] {
                let answer: GraphList<GraphPageEntry> = try await graphGET(
                    "/\(business.id)/\(edge)", query: [("fields", "id,name,access_token,tasks"), ("limit", "100")],
                    token: userToken, operation: "\(platform).oauth.\(edge)", context: context)
                for entry in answer.data where seen.insert(entry.id).inserted { found.append(entry.page) }
            }
        }
        return found
    }

    /// Picks the Page: `FACEBOOK_PAGE_ID` when set, the only one, or the user's choice on a terminal.
    /// - Throws: ``PublishError``: `permissionDenied` when no Page was granted or `FACEBOOK_PAGE_ID` is not among
    ///   them; `configuration` when several were granted and nobody can choose (no terminal).
    package func choosePage(from pages: [Page], context: OAuthContext) async throws -> Page {
        if let wanted = try context.credentials.nonEmpty("FACEBOOK_PAGE_ID") {
            guard let page = pages.first(where: { $0.id == wanted }) else {
                throw PublishError(
                    .permissionDenied, platform: platform,
                    message: "FACEBOOK_PAGE_ID=\(wanted) is not among the Pages this login granted"
                        + (pages.isEmpty
                            ? "" : " (" + pages.map { "\($0.name): \($0.id)" }.joined(separator: ", ") + ")"),
                    remediation: "run `\(command)` again and select that Page in the dialog, or fix FACEBOOK_PAGE_ID")
            }
            return page
        }
        guard !pages.isEmpty else {
            throw PublishError(
                .permissionDenied, platform: platform, message: "the login granted access to no Facebook Page",
                remediation: "run `\(command)` again and select the Page in the dialog (you need a role on it)")
        }
        if pages.count == 1 { return pages[0] }
        guard context.console.isInteractive else {
            throw PublishError(
                .configuration, platform: platform,
                message: "the login granted \(pages.count) Pages ("
                    + pages.map { "\($0.name): \($0.id)" }.joined(separator: ", ")
                    + ") and there is no terminal to ask which one",
                remediation:
                    "set FACEBOOK_PAGE_ID to one of these ids in the .env (or the environment) and run `\(command)` again"
            )
        }
        let index = try await context.console.choose(
            "Which Facebook Page should atom use?", options: pages.map { "\($0.name) (\($0.id))" }, platform: platform)
        return pages[index]
    }

    /// The Instagram professional account linked to a Page (`GET /{page-id}?fields=instagram_business_account`).
    /// - Throws: ``PublishError`` (`configuration`) when the Page has none.
    package func instagramAccount(of page: Page, userToken: String, context: OAuthContext) async throws -> String {
        struct Answer: Decodable {
            struct Account: Decodable { var id: String }
            var instagram_business_account: Account?
        }
        let answer: Answer = try await graphGET(
            "/\(page.id)", query: [("fields", "instagram_business_account")], token: userToken,
            operation: "\(platform).oauth.instagram_account", context: context)
        guard let id = answer.instagram_business_account?.id, !id.isEmpty else {
            throw PublishError(
                .configuration, platform: platform,
                message: "the Page \(page.name) (\(page.id)) has no linked Instagram professional account",
                remediation:
                    "link the Instagram account to the Page (Instagram app › Settings › Accounts Center, or the Page's settings), or choose another Page with FACEBOOK_PAGE_ID"
            )
        }
        return id
    }

    /// A Graph GET with the token in the `Authorization` header, decoded.
    private func graphGET<T: Decodable>(
        _ path: String, query: [(String, String)], token: String, operation: String,
        context: OAuthContext
    ) async throws -> T {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(token)"
        let endpoint = OAuthTokenEndpoint(
            url: graphURL(path), platform: platform, command: command, operationID: operation,
            mapError: { [platform, command] status, body in
                GraphErrorMapper(platform: platform, reauthorize: "run `\(command)`").map(
                    status: status, body: body, headers: [:], operationID: operation)
            })
        let answer = try await endpoint.get(query, headers: headers, context: context)
        do {
            return try JSONValue.object(answer.fields).decode(T.self)
        } catch {
            throw PublishError(
                .protocolViolation, platform: platform, operationID: operation,
                message: "unexpected answer from \(path): \(error)")
        }
    }
}
