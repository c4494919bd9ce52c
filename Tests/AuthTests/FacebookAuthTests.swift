import AtomSandbox
import AtomTestSupport
import FacebookAdapter
import Foundation
import GraphAPISupport
import OAuthLogin
import PlatformKit
import PublishingCore
import Testing

@Suite("atom auth facebook (Facebook Login for a Page)")
struct FacebookAuthTests {
    static let pages = [
        FakeFacebookLogin.Page(
            id: "100000000000001", name: "Sunrise Films", accessToken: "sandbox-facebook-page-token-1"),
        FakeFacebookLogin.Page(
            id: "100000000000002", name: "Bay Timelapses", accessToken: "sandbox-facebook-page-token-2"),
        FakeFacebookLogin.Page(
            id: "100000000000003", name: "Old Page", accessToken: "sandbox-facebook-page-token-3", tasks: ["ANALYZE"]),
    ]

    private func run<T: Sendable>(
        pages: [FakeFacebookLogin.Page] = Array(FacebookAuthTests.pages.prefix(1)),
        _ body: @Sendable (FakeFacebookLogin, [String: String]) async throws -> T
    ) async throws -> T {
        let fake = FakeFacebookLogin(
            configuration: .init(pages: pages), requiredScopes: ["pages_show_list", "pages_manage_posts"])
        return try await FakeServer.run(services: fake.services) { server in
            var settings = fake.sandboxEnvironment(server: server)
            settings["ATOM_GRAPH_API_VERSION"] = "v24.0"
            return try await body(fake, settings)
        }
    }

    @Test(
        "one Page: code → long-lived user token → the Page's token; FACEBOOK_PAGE_ID and FACEBOOK_PAGE_ACCESS_TOKEN written"
    )
    func onePage() async throws {
        try await run { fake, settings in
            try await AuthHarness.with { harness in
                let report = try await harness.login(
                    .facebook(), settings: settings, options: .init(port: 0, timeout: AuthHarness.timeout))
                #expect(report.keys == ["FACEBOOK_PAGE_ACCESS_TOKEN", "FACEBOOK_PAGE_ID"])
                let values = try harness.envValues()
                #expect(values["FACEBOOK_PAGE_ID"] == "100000000000001")
                #expect(values["FACEBOOK_PAGE_ACCESS_TOKEN"] == "sandbox-facebook-page-token-1")
                #expect(report.notes.first?.contains("Sunrise Films") == true)
                #expect(
                    fake.calls == [
                        "GET /v24.0/oauth/access_token", "GET /v24.0/oauth/access_token", "GET /v24.0/me/accounts",
                        "GET /v24.0/me/businesses",
                    ])
                let request = try #require(await fake.consent.requests.first)
                #expect(request["scope"] == "pages_show_list,pages_read_engagement,pages_manage_posts,business_management")
                #expect(
                    request["redirect_uri"]?.range(
                        of: #"^http://localhost:\d+/callback/$"#, options: .regularExpression) != nil)
                #expect(request["code_challenge"] == nil)
                #expect(!harness.console.transcript.contains("sandbox-facebook-page-token-1"))
            }
        }
    }

    @Test("a Page reached only through a business portfolio (owned_pages) is found and written")
    func businessOwnedPage() async throws {
        let business = FakeFacebookLogin.Page(
            id: "100000000000009", name: "Agency Client Page", accessToken: "sandbox-facebook-business-page-token")
        var configuration = FakeFacebookLogin.Configuration(pages: [])
        configuration.businessPages = [business]
        let fake = FakeFacebookLogin(configuration: configuration, requiredScopes: ["business_management"])
        try await FakeServer.run(services: fake.services) { server in
            var settings = fake.sandboxEnvironment(server: server)
            settings["ATOM_GRAPH_API_VERSION"] = "v24.0"
            try await AuthHarness.with { harness in
                _ = try await harness.login(
                    .facebook(), settings: settings, options: .init(port: 0, timeout: AuthHarness.timeout))
                let values = try harness.envValues()
                #expect(values["FACEBOOK_PAGE_ID"] == "100000000000009")
                #expect(values["FACEBOOK_PAGE_ACCESS_TOKEN"] == "sandbox-facebook-business-page-token")
                #expect(fake.calls.contains("GET /v24.0/sandbox-business-1/owned_pages"))
                #expect(fake.calls.contains("GET /v24.0/sandbox-business-1/client_pages"))
            }
        }
    }

    @Test("several Pages and FACEBOOK_PAGE_ID: that Page, found across response pages")
    func pageIDChosen() async throws {
        try await run(pages: Self.pages) { _, settings in
            try await AuthHarness.with { harness in
                var settings = settings
                settings["FACEBOOK_PAGE_ID"] = "100000000000002"
                _ = try await harness.login(
                    .facebook(), settings: settings, options: .init(port: 0, timeout: AuthHarness.timeout))
                #expect(try harness.envValues()["FACEBOOK_PAGE_ACCESS_TOKEN"] == "sandbox-facebook-page-token-2")
            }
        }
    }

    @Test("several Pages, no terminal: a clear error asking for FACEBOOK_PAGE_ID, nothing written")
    func severalPagesNoTTY() async throws {
        try await run(pages: Self.pages) { _, settings in
            try await AuthHarness.with(interactive: false) { harness in
                let error = await #expect(throws: PublishError.self) {
                    try await harness.login(
                        .facebook(), settings: settings, options: .init(port: 0, timeout: AuthHarness.timeout))
                }
                #expect(error?.code == .configuration)
                #expect(
                    error?.message.contains(
                        "granted 3 Pages (Sunrise Films: 100000000000001, Bay Timelapses: 100000000000002") == true)
                #expect(error?.remediation?.contains("set FACEBOOK_PAGE_ID") == true)
                #expect(harness.envText == AuthHarness.initialEnv)
            }
        }
    }

    @Test(
        "several Pages on a terminal: asks, re-asks after a bad answer, and warns about a role without CREATE_CONTENT")
    func severalPagesPrompt() async throws {
        try await run(pages: Self.pages) { _, settings in
            try await AuthHarness.with(answers: ["7", "3"], interactive: true) { harness in
                let report = try await harness.login(
                    .facebook(), settings: settings, options: .init(port: 0, timeout: AuthHarness.timeout))
                #expect(try harness.envValues()["FACEBOOK_PAGE_ID"] == "100000000000003")
                #expect(harness.console.transcript.contains("  2. Bay Timelapses (100000000000002)"))
                #expect(harness.console.prompts.value.count == 2)
                #expect(report.notes.contains { $0.contains("lacks CREATE_CONTENT") })
            }
        }
    }

    @Test("FACEBOOK_PAGE_ID not among the granted Pages: permissionDenied naming the ones granted")
    func pageIDNotGranted() async throws {
        try await run { _, settings in
            try await AuthHarness.with { harness in
                var settings = settings
                settings["FACEBOOK_PAGE_ID"] = "999"
                let error = await #expect(throws: PublishError.self) {
                    try await harness.login(
                        .facebook(), settings: settings, options: .init(port: 0, timeout: AuthHarness.timeout))
                }
                #expect(error?.code == .permissionDenied)
                #expect(error?.message.contains("Sunrise Films: 100000000000001") == true)
            }
        }
    }

    @Test("denied consent and a forged state are refused; nothing written")
    func deniedAndForged() async throws {
        try await run { fake, settings in
            try await AuthHarness.with { harness in
                await fake.consent.decide(.deny)
                let denied = await #expect(throws: PublishError.self) {
                    try await harness.login(
                        .facebook(), settings: settings, options: .init(port: 0, timeout: AuthHarness.timeout))
                }
                #expect(denied?.code == .permissionDenied)
                #expect(denied?.message.contains("The user denied the request") == true)
                await fake.consent.decide(.forgeState)
                let forged = await #expect(throws: PublishError.self) {
                    try await harness.login(
                        .facebook(), settings: settings, options: .init(port: 0, timeout: AuthHarness.timeout))
                }
                // The forged redirect is ignored (logged); the login waits for its own until the timeout.
                #expect(forged?.code == .timeout)
                #expect(fake.calls.isEmpty)
                #expect(harness.envText == AuthHarness.initialEnv)
            }
        }
    }

    @Test("--redirect-uri: the registered https URI is used, the pasted redirect exchanged with the same URI")
    func registeredRedirect() async throws {
        try await run { fake, settings in
            await fake.consent.register(redirectURI: "https://owner.example/atom/callback")
            try await AuthHarness.with { harness in
                let console = LoginConsole(
                    openBrowser: { _ in false }, inform: { line in harness.console.lines.withLock { $0.append(line) } },
                    readLine: { _ in
                        try await harness.browser.consent(try #require(harness.console.printedURL)).absoluteString
                    },
                    isInteractive: false)
                let context = OAuthContext(
                    transport: harness.transport, console: console, credentials: try harness.credentials(settings))
                let provider = try OAuthProviderFactory.facebook().makeProvider(try harness.credentials(settings))
                let report = try await OAuthLogin(provider: provider, context: context)
                    .run(.init(redirectURI: URL(string: "https://owner.example/atom/callback")))
                #expect(report.redirectURI.absoluteString == "https://owner.example/atom/callback")
                #expect(try harness.envValues()["FACEBOOK_PAGE_ID"] == "100000000000001")
            }
        }
    }

    @Test(
        "--no-browser: the fixed redirect http://localhost:8765/callback/ (Facebook matches it exactly) and a pasted URL"
    )
    func pasteMode() async throws {
        try await run { _, settings in
            try await AuthHarness.with { harness in
                let console = LoginConsole(
                    openBrowser: { _ in false }, inform: { line in harness.console.lines.withLock { $0.append(line) } },
                    readLine: { _ in
                        try await harness.browser.consent(try #require(harness.console.printedURL)).absoluteString
                    },
                    isInteractive: false)
                let context = OAuthContext(
                    transport: harness.transport, console: console, credentials: try harness.credentials(settings))
                let provider = try OAuthProviderFactory.facebook().makeProvider(try harness.credentials(settings))
                let report = try await OAuthLogin(provider: provider, context: context).run(.init(useBrowser: false))
                #expect(report.redirectURI.absoluteString == "http://localhost:8765/callback/")
                #expect(try harness.envValues()["FACEBOOK_PAGE_ACCESS_TOKEN"] == "sandbox-facebook-page-token-1")
            }
        }
    }

    @Test("a wrong app secret surfaces Graph's message as an authentication error")
    func wrongSecret() async throws {
        try await run { _, settings in
            try await AuthHarness.with { harness in
                var settings = settings
                settings["FACEBOOK_APP_SECRET"] = "not-the-secret"
                let error = await #expect(throws: PublishError.self) {
                    try await harness.login(
                        .facebook(), settings: settings, options: .init(port: 0, timeout: AuthHarness.timeout))
                }
                #expect(error?.code == .authentication)
                #expect(error?.message.contains("Error validating client secret") == true)
                #expect(error?.diagnosticID == "sandbox-fbtrace-oauth")
                #expect(!(error?.description.contains("not-the-secret") ?? true))
            }
        }
    }
}
