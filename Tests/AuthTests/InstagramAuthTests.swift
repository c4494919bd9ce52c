import AtomSandbox
import AtomTestSupport
import Foundation
import GraphAPISupport
import InstagramAdapter
import OAuthLogin
import PlatformKit
import PublishingCore
import Testing

@Suite("atom auth instagram (Instagram Login, and Facebook Login with --facebook-login)")
struct InstagramAuthTests {
    private func run<T: Sendable>(
        registeredRedirects: [String] = [], pages: [FakeFacebookLogin.Page]? = nil,
        _ body: @Sendable (FakeInstagramLogin, FakeFacebookLogin, InstagramFake, [String: String]) async throws -> T
    ) async throws -> T {
        let login = FakeInstagramLogin(registeredRedirects: registeredRedirects)
        let facebook = pages.map { FakeFacebookLogin(configuration: .init(pages: $0)) } ?? FakeFacebookLogin()
        let instagram = InstagramFake()
        return try await FakeServer.run(services: login.services + facebook.services + instagram.services) { server in
            var settings: [String: String] = [:]
            for service in login.services + [facebook.dialog] {
                settings.merge(service.sandboxEnvironment(server: server)) { first, _ in first }
            }
            settings.merge(facebook.sandboxEnvironment(server: server)) { first, _ in first }
            settings["ATOM_INSTAGRAM_API_BASE"] =
                instagram.sandboxEnvironment(server: server)["ATOM_INSTAGRAM_API_BASE"]
            return try await body(login, facebook, instagram, settings)
        }
    }

    @Test("Instagram Login: code → short-lived token → 60-day token → /me; the four keys written")
    func instagramLogin() async throws {
        try await run { login, _, instagram, settings in
            try await AuthHarness.with { harness in
                let report = try await harness.login(
                    .instagram(), settings: settings, options: .init(port: 0, timeout: AuthHarness.timeout))
                #expect(
                    report.keys == [
                        "INSTAGRAM_ACCESS_TOKEN", "INSTAGRAM_ACCESS_TOKEN_EXPIRES_AT", "INSTAGRAM_LOGIN",
                        "INSTAGRAM_USER_ID",
                    ])
                let values = try harness.envValues()
                #expect(values["INSTAGRAM_ACCESS_TOKEN"] == "sandbox-instagram-access-token")
                #expect(values["INSTAGRAM_USER_ID"] == "17841400000000001")
                #expect(values["INSTAGRAM_LOGIN"] == "instagram")
                #expect(values["INSTAGRAM_ACCESS_TOKEN_EXPIRES_AT"] == "2027-03-16T07:59:04Z")
                #expect(report.notes.first == "Instagram account: @atom.sandbox (17841400000000001)")
                let request = try #require(await login.consent.requests.first)
                #expect(request["scope"] == "instagram_business_basic,instagram_business_content_publish")
                #expect(request["redirect_uri"]?.hasPrefix("http://localhost:") == true)
                #expect(request["code_challenge"] == nil)
                let me = try #require(await instagram.requests.first)
                #expect(me.path == "/v24.0/me")
                #expect(me.tokenInURL == false)
                #expect(!harness.console.transcript.contains("sandbox-instagram-access-token"))
            }
        }
    }

    @Test("the exchange's wide numeric user_id keeps its digits")
    func wideUserID() throws {
        let raw = Array(#"{"data":[{"access_token":"t","user_id":17841400000000001,"permissions":"x"}]}"#.utf8)
        let object = try JSONDecoder().decode(JSONValue.self, from: Data(raw))
        let data = try #require(object.objectValue?["data"])
        guard case .array(let items) = data, let first = items.first?.objectValue else {
            Issue.record("no data")
            return
        }
        #expect(
            OAuthTokenResponse(fields: first, platform: .instagram, operationID: "t", raw: raw).string("user_id")
                == "17841400000000001")
    }

    @Test("--redirect-uri https://…: paste the redirect (with Instagram's #_) and the same URI is sent to the exchange")
    func registeredRedirectPaste() async throws {
        try await run(registeredRedirects: ["https://owner.example/ig/callback"]) { _, _, _, settings in
            try await AuthHarness.with { harness in
                let console = LoginConsole(
                    openBrowser: { _ in false }, inform: { line in harness.console.lines.withLock { $0.append(line) } },
                    readLine: { _ in
                        try await harness.browser.consent(try #require(harness.console.printedURL)).absoluteString
                    },
                    isInteractive: false)
                let context = OAuthContext(
                    transport: harness.transport, console: console, credentials: try harness.credentials(settings))
                let provider = try OAuthProviderFactory.instagram().makeProvider(try harness.credentials(settings))
                let report = try await OAuthLogin(provider: provider, context: context)
                    .run(.init(redirectURI: URL(string: "https://owner.example/ig/callback")))
                #expect(report.redirectURI.absoluteString == "https://owner.example/ig/callback")
                #expect(try harness.envValues()["INSTAGRAM_USER_ID"] == "17841400000000001")
            }
        }
    }

    @Test("denied consent (error_reason=user_denied): permissionDenied, nothing written")
    func denied() async throws {
        try await run { login, _, _, settings in
            await login.consent.decide(.deny)
            try await AuthHarness.with { harness in
                let error = await #expect(throws: PublishError.self) {
                    try await harness.login(
                        .instagram(), settings: settings, options: .init(port: 0, timeout: AuthHarness.timeout))
                }
                #expect(error?.code == .permissionDenied)
                #expect(error?.platform == .instagram)
                #expect(harness.envText == AuthHarness.initialEnv)
            }
        }
    }

    @Test("a wrong app secret: api.instagram.com's error_message is reported")
    func wrongSecret() async throws {
        try await run { _, _, _, settings in
            var settings = settings
            settings["INSTAGRAM_APP_SECRET"] = "wrong-instagram-secret"
            try await AuthHarness.with { harness in
                let error = await #expect(throws: PublishError.self) {
                    try await harness.login(
                        .instagram(), settings: settings, options: .init(port: 0, timeout: AuthHarness.timeout))
                }
                #expect(error?.code == .authentication)
                #expect(error?.message.contains("Invalid platform app") == true)
                #expect(error?.platformCode == "OAuthException")
            }
        }
    }

    @Test("--facebook-login: Facebook Login, the Page's instagram_business_account, INSTAGRAM_LOGIN=facebook")
    func facebookLogin() async throws {
        try await run { _, facebook, _, settings in
            var settings = settings
            settings["INSTAGRAM_LOGIN"] = "facebook"
            try await AuthHarness.with { harness in
                let report = try await harness.login(
                    .instagram(), settings: settings, options: .init(port: 0, timeout: AuthHarness.timeout))
                #expect(
                    report.keys == [
                        "INSTAGRAM_ACCESS_TOKEN", "INSTAGRAM_ACCESS_TOKEN_EXPIRES_AT", "INSTAGRAM_LOGIN",
                        "INSTAGRAM_USER_ID",
                    ])
                let values = try harness.envValues()
                #expect(values["INSTAGRAM_LOGIN"] == "facebook")
                #expect(values["INSTAGRAM_USER_ID"] == "17841400000000001")
                #expect(values["INSTAGRAM_ACCESS_TOKEN"] == facebook.configuration.userToken)
                #expect(values["FACEBOOK_PAGE_ID"] == nil)
                let request = try #require(await facebook.consent.requests.first)
                #expect(
                    request["scope"]
                        == "instagram_basic,instagram_content_publish,pages_show_list,pages_read_engagement,business_management")
                #expect(facebook.calls.last == "GET /v24.0/100000000000001")
            }
        }
    }

    @Test("--facebook-login with a Page that has no Instagram account: a clear error")
    func facebookLoginNoAccount() async throws {
        let page = FakeFacebookLogin.Page(
            id: "100000000000009", name: "Plain Page", accessToken: "sandbox-facebook-page-token-9")
        try await run(pages: [page]) { _, _, _, settings in
            var settings = settings
            settings["INSTAGRAM_LOGIN"] = "facebook"
            try await AuthHarness.with { harness in
                let error = await #expect(throws: PublishError.self) {
                    try await harness.login(
                        .instagram(), settings: settings, options: .init(port: 0, timeout: AuthHarness.timeout))
                }
                #expect(error?.code == .configuration)
                #expect(
                    error?.message.contains("Plain Page (100000000000009) has no linked Instagram professional account")
                        == true)
                #expect(harness.envText == AuthHarness.initialEnv)
            }
        }
    }

    @Test("missing app id and secret: Instagram keys for Instagram Login, Facebook keys for --facebook-login")
    func missingKeys() {
        let instagram = #expect(throws: PublishError.self) {
            try OAuthProviderFactory.instagram().makeProvider(MemoryCredentialStore())
        }
        #expect(instagram?.message == "INSTAGRAM_APP_ID and INSTAGRAM_APP_SECRET are not set")
        let facebook = #expect(throws: PublishError.self) {
            try OAuthProviderFactory.instagram().makeProvider(MemoryCredentialStore(["INSTAGRAM_LOGIN": "facebook"]))
        }
        #expect(facebook?.message == "FACEBOOK_APP_ID and FACEBOOK_APP_SECRET are not set")
        #expect(facebook?.platform == .instagram)
    }
}
