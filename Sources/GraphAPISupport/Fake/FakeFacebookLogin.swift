import Foundation
import PlatformKit
import PublishingCore

/// A strict loopback fake of Facebook Login's manual flow, for `atom auth facebook` and
/// `atom auth instagram --facebook-login`.
///
/// Mount ``services``: the login dialog at `/facebook-auth` (`…/dialog/oauth`, any version prefix; a
/// ``FakeConsent``) and, on the shared `/graph` mount, only these Graph calls (everything else is left to the
/// Facebook and Instagram fakes):
/// - `GET /{version}/oauth/access_token` with `client_id`, `client_secret`, `redirect_uri`, `code` → a short-lived
///   user token; with `grant_type=fb_exchange_token` and `fb_exchange_token` → the long-lived user token
///   (`expires_in` ≈ 60 days). Errors in Graph's shape (`OAuthException`, code 100/190, `fbtrace_id`).
/// - `GET /{version}/me/accounts` (the long-lived user token in `Authorization: Bearer` or `access_token`) → the
///   Pages with their tokens, one Page per response page (`paging.cursors.after`), so clients must follow the cursor.
/// - `GET /{version}/{page-id}?fields=instagram_business_account` → the linked Instagram account.
public final class FakeFacebookLogin: Sendable {
    /// A Page the user has a role on.
    public struct Page: Sendable, Equatable {
        public var id: String
        public var name: String
        public var accessToken: String
        public var instagramAccountID: String?
        public var tasks: [String]

        public init(
            id: String, name: String, accessToken: String, instagramAccountID: String? = nil,
            tasks: [String] = ["ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"]
        ) {
            self.id = id
            self.name = name
            self.accessToken = accessToken
            self.instagramAccountID = instagramAccountID
            self.tasks = tasks
        }
    }

    /// The fake's app and user.
    public struct Configuration: Sendable {
        public var appID: String
        public var appSecret: String
        /// The Pages the login grants (the defaults match ``FakeFacebook``'s and the Instagram fake's sandbox ids).
        public var pages: [Page]
        /// The long-lived user token it issues (and accepts for `/me/accounts`).
        public var userToken: String
        /// Pages reachable only through a business portfolio (`/me/businesses` → `/{business}/owned_pages` or
        /// `client_pages`), absent from `/me/accounts`, as for a Page the user reaches through Business Manager.
        public var businessPages: [Page] = []

        public init(
            appID: String = "sandbox-facebook-app-id", appSecret: String = "sandbox-facebook-app-secret",
            pages: [Page] = [
                Page(
                    id: "100000000000001", name: "atom sandbox Page", accessToken: "sandbox-facebook-page-access-token",
                    instagramAccountID: "17841400000000001")
            ],
            userToken: String = "sandbox-facebook-user-token"
        ) {
            self.appID = appID
            self.appSecret = appSecret
            self.pages = pages
            self.userToken = userToken
        }
    }

    /// The dialog mount path.
    public static let dialogMountPath = "/facebook-auth"
    /// The Graph mount path (shared).
    public static let graphMountPath = "/graph"

    public let configuration: Configuration
    /// The login dialog's rules and state (deny, forge the state, inspect requests).
    public let consent: FakeConsent
    private let state = LockedBox<(shortTokens: Set<String>, issued: Int, calls: [String])>(([], 0, []))

    /// Creates the fake.
    /// - Parameters:
    ///   - configuration: App, Pages and tokens.
    ///   - requiredScopes: Permissions the dialog insists on.
    public init(configuration: Configuration = Configuration(), requiredScopes: [String] = ["pages_show_list"]) {
        self.configuration = configuration
        consent = FakeConsent(profile: .facebook(appID: configuration.appID, requiredScopes: requiredScopes))
    }

    /// The services to mount.
    public var services: [any FakeService] { [dialog, GraphService(fake: self)] }

    /// The login dialog service.
    public var dialog: FakeConsentService {
        FakeConsentService(
            consent, mountPath: Self.dialogMountPath, path: "/dialog/oauth", environmentKey: "ATOM_FACEBOOK_AUTH_URL")
    }

    /// The Graph calls received (`METHOD path`, no query), in order.
    public var calls: [String] { state.value.calls }

    /// Points atom's Facebook Login at this fake (the Graph base comes from the Facebook fake).
    public func sandboxEnvironment(server: FakeServer) -> [String: String] {
        [
            "FACEBOOK_APP_ID": configuration.appID, "FACEBOOK_APP_SECRET": configuration.appSecret,
            "ATOM_FACEBOOK_AUTH_URL": dialog.authorizationURL(server: server),
            "ATOM_GRAPH_API_BASE": server.baseURL(for: Self.graphMountPath).absoluteString,
        ]
    }

    fileprivate func record(_ request: FakeRequest) {
        state.withLock { $0.calls.append("\(request.method) \(request.path)") }
    }

    fileprivate func issueShortToken() -> String {
        state.withLock { state in
            state.issued += 1
            let token = "sandbox-facebook-short-user-token-\(state.issued)"
            state.shortTokens.insert(token)
            return token
        }
    }

    fileprivate func redeemShortToken(_ token: String) -> Bool {
        state.withLock { $0.shortTokens.contains(token) }
    }

    /// The Graph side.
    struct GraphService: FakeService {
        let fake: FakeFacebookLogin
        var mountPath: String { FakeFacebookLogin.graphMountPath }

        func handle(_ request: FakeRequest) async throws -> FakeResponse? {
            let segments = request.path.split(separator: "/").map(String.init)
            guard segments.count >= 2, segments[0].range(of: #"^v\d+\.\d+$"#, options: .regularExpression) != nil,
                request.method == "GET"
            else {
                return nil
            }
            let configuration = fake.configuration
            switch Array(segments.dropFirst()) {
            case ["oauth", "access_token"]:
                fake.record(request)
                return await accessToken(request)
            case ["me", "accounts"]:
                fake.record(request)
                guard token(of: request) == configuration.userToken else { return Self.invalidToken() }
                return accounts(after: request.query("after"))
            case ["me", "businesses"]:
                fake.record(request)
                guard token(of: request) == configuration.userToken else { return Self.invalidToken() }
                let businesses: [JSONValue] =
                    configuration.businessPages.isEmpty
                    ? [] : [.object(["id": .string("sandbox-business-1"), "name": .string("atom sandbox business")])]
                return .json(200, .object(["data": .array(businesses)]))
            case ["sandbox-business-1", "owned_pages"], ["sandbox-business-1", "client_pages"]:
                fake.record(request)
                guard token(of: request) == configuration.userToken else { return Self.invalidToken() }
                // Owned Pages on the first edge, client Pages on the second: split the configured list in two.
                let owned = segments.last == "owned_pages"
                let pages = configuration.businessPages.enumerated().filter { ($0.offset % 2 == 0) == owned }.map(\.element)
                return .json(
                    200,
                    .object([
                        "data": .array(
                            pages.map { page in
                                .object([
                                    "id": .string(page.id), "name": .string(page.name),
                                    "access_token": .string(page.accessToken),
                                    "tasks": .array(page.tasks.map(JSONValue.string)),
                                ])
                            })
                    ]))
            case let path where path.count == 1 && request.query("fields") == "instagram_business_account":
                guard let page = (configuration.pages + configuration.businessPages).first(where: { $0.id == path[0] })
                else { return nil }
                fake.record(request)
                guard token(of: request) == configuration.userToken else { return Self.invalidToken() }
                var object: [String: JSONValue] = ["id": .string(page.id)]
                if let account = page.instagramAccountID {
                    object["instagram_business_account"] = .object(["id": .string(account)])
                }
                return .json(200, .object(object))
            default:
                return nil
            }
        }

        func sandboxEnvironment(server: FakeServer) -> [String: String] { fake.sandboxEnvironment(server: server) }

        private func token(of request: FakeRequest) -> String? { request.bearerToken ?? request.query("access_token") }

        private func accessToken(_ request: FakeRequest) async -> FakeResponse {
            let configuration = fake.configuration
            guard request.query("client_id") == configuration.appID else {
                return Self.error(400, code: 101, message: "Error validating application. Invalid application ID.")
            }
            guard request.query("client_secret") == configuration.appSecret else {
                return Self.error(400, code: 1, subcode: nil, message: "Error validating client secret.")
            }
            if request.query("grant_type") == "fb_exchange_token" {
                guard let short = request.query("fb_exchange_token"), fake.redeemShortToken(short) else {
                    return Self.error(400, code: 190, message: "Invalid OAuth access token - Cannot parse access token")
                }
                return .json(
                    200,
                    .object([
                        "access_token": .string(configuration.userToken), "token_type": .string("bearer"),
                        "expires_in": .number(5_183_944),
                    ]))
            }
            let redemption = await fake.consent.redeem(
                code: request.query("code"), clientID: request.query("client_id"),
                redirectURI: request.query("redirect_uri"), verifier: nil)
            switch redemption {
            case .granted:
                return .json(
                    200,
                    .object([
                        "access_token": .string(fake.issueShortToken()), "token_type": .string("bearer"),
                        "expires_in": .number(5_183_944),
                    ]))
            case .refused(_, let description):
                let subcode = description.contains("redirect_uri") ? 36008 : 36007
                return Self.error(
                    400, code: 100, subcode: subcode, message: "Invalid verification code format. (\(description))")
            }
        }

        private func accounts(after cursor: String?) -> FakeResponse {
            let pages = fake.configuration.pages
            let index = cursor.flatMap { value in pages.firstIndex { "cursor-\($0.id)" == value }.map { $0 + 1 } } ?? 0
            guard index < pages.count else { return .json(200, .object(["data": .array([])])) }
            let page = pages[index]
            var paging: [String: JSONValue] = [
                "cursors": .object(["before": .string("cursor-\(page.id)"), "after": .string("cursor-\(page.id)")])
            ]
            if index + 1 < pages.count {
                paging["next"] = .string("https://graph.example/next?after=cursor-\(page.id)")
            }
            return .json(
                200,
                .object([
                    "data": .array([
                        .object([
                            "id": .string(page.id), "name": .string(page.name),
                            "access_token": .string(page.accessToken),
                            "category": .string("Video Creator"), "tasks": .array(page.tasks.map(JSONValue.string)),
                        ])
                    ]),
                    "paging": .object(paging),
                ]))
        }

        static func invalidToken() -> FakeResponse {
            error(400, code: 190, message: "Invalid OAuth access token - Cannot parse access token")
        }

        static func error(_ status: Int, code: Int, subcode: Int? = nil, message: String) -> FakeResponse {
            var object: [String: JSONValue] = [
                "message": .string(message), "type": .string("OAuthException"), "code": .number(Double(code)),
                "fbtrace_id": .string("sandbox-fbtrace-oauth"),
            ]
            if let subcode { object["error_subcode"] = .number(Double(subcode)) }
            return .json(status, .object(["error": .object(object)]))
        }
    }
}
