import AtomSandbox
import AtomTestSupport
import Foundation
import OAuthLogin
import PlatformKit
import PublishingCore
import Testing

/// A made-up platform wired to a ``FakeConsent`` and a token endpoint that redeems through it.
private struct ExampleProvider: OAuthProvider {
    let platform = PlatformID("example")
    let displayName = "Example"
    var loopback = LoopbackRedirectRule(host: "127.0.0.1", path: "/callback/")
    var pkce: PKCE.ChallengeEncoding? = .base64URL
    let consentURL: URL
    let tokenURL: URL
    /// Sends this verifier instead of the real one (to prove the fake checks it).
    var wrongVerifier = false

    func authorizationURL(for request: AuthorizationRequest) throws -> URL {
        try request.url(
            base: consentURL, [("client_id", "example-client"), ("response_type", "code"), ("scope", "publish")])
    }

    func redeem(_ grant: AuthorizationGrant, context: OAuthContext) async throws -> OAuthLoginResult {
        var grant = grant
        if wrongVerifier, let encoding = grant.pkce?.encoding { grant.pkce = PKCE.generate(encoding: encoding) }
        let answer = try await OAuthTokenEndpoint(url: tokenURL, platform: platform)
            .exchange(
                grant.tokenRequestFields(clientID: "example-client", clientSecret: "example-secret"), context: context)
        return OAuthLoginResult(
            values: ["EXAMPLE_ACCESS_TOKEN": try answer.requireAccessToken(), "EXAMPLE_ACCOUNT": "acct-1"],
            notes: ["logged in as acct-1"])
    }
}

/// `POST /token`: redeems codes through the consent page's ledger (single use, redirect URI, PKCE).
private struct ExampleTokenService: FakeService {
    let consent: FakeConsent
    let mountPath = "/example-oauth"

    func handle(_ request: FakeRequest) async throws -> FakeResponse? {
        guard request.method == "POST", request.path == "/token" else { return nil }
        let fields = Dictionary(try await request.formFields(), uniquingKeysWith: { first, _ in first })
        guard fields["client_secret"] == "example-secret" else {
            return .json(401, .object(["error": .string("invalid_client")]))
        }
        switch await consent.redeem(
            code: fields["code"], clientID: fields["client_id"], redirectURI: fields["redirect_uri"],
            verifier: fields["code_verifier"])
        {
        case .granted:
            return .json(
                200, .object(["access_token": .string("sandbox-example-access-token"), "expires_in": .number(3600)]))
        case .refused(let error, let description):
            return .json(400, .object(["error": .string(error), "error_description": .string(description)]))
        }
    }
}

private func withExample<T: Sendable>(
    pkce: PKCE.ChallengeEncoding? = .base64URL, _ body: @Sendable (FakeConsent, ExampleProvider) async throws -> T
) async throws -> T {
    var profile = FakeConsent.Profile(
        platformName: "Example", clientID: "example-client", requiredScopes: ["publish"], pkce: pkce,
        codePrefix: "sandbox-example-code-")
    profile.grantedScopesParameter = "scope"
    let consent = FakeConsent(profile: profile)
    let page = FakeConsentService(consent, mountPath: "/example-auth", path: "/authorize")
    return try await FakeServer.run(services: [page, ExampleTokenService(consent: consent)]) { server in
        let provider = ExampleProvider(
            pkce: pkce, consentURL: URL(string: page.authorizationURL(server: server))!,
            tokenURL: server.baseURL(for: "/example-oauth").appendingPathComponent("token"))
        return try await body(consent, provider)
    }
}

@Suite("OAuth login engine")
struct OAuthLoginTests {
    @Test(
        "loopback flow: browser → consent → loopback → exchange → .env written (0600, other lines kept, values never shown)"
    )
    func loopbackFlow() async throws {
        try await withExample { consent, provider in
            try await AuthHarness.with { harness in
                let report = try await harness.login(provider, settings: [:])
                #expect(report.keys == ["EXAMPLE_ACCESS_TOKEN", "EXAMPLE_ACCOUNT"])
                #expect(report.notes == ["logged in as acct-1"])
                let values = try harness.envValues()
                #expect(values["EXAMPLE_ACCESS_TOKEN"] == "sandbox-example-access-token")
                #expect(values["ATOM_S3_BUCKET"] == "my-bucket")
                #expect(harness.envText.hasPrefix("# the owner's settings\nATOM_S3_BUCKET=my-bucket # keep me\n\n"))
                #expect(try harness.envMode() == 0o600)
                #expect(!harness.console.transcript.contains("sandbox-example-access-token"))
                #expect(harness.browser.lastPage?.body.contains("You can close this tab") == true)
                let request = try #require(await consent.requests.first)
                #expect(request["code_challenge_method"] == "S256")
                #expect(request["redirect_uri"]?.hasPrefix("http://127.0.0.1:") == true)
                #expect(request["redirect_uri"]?.hasSuffix("/callback/") == true)
                #expect(await consent.authorizations.first?.redeemed == true)
            }
        }
    }

    @Test("a forged state is refused and nothing is written")
    func forgedState() async throws {
        try await withExample { consent, provider in
            await consent.decide(.forgeState)
            try await AuthHarness.with { harness in
                let error = await #expect(throws: PublishError.self) {
                    try await harness.login(provider, settings: [:])
                }
                // The forged redirect is ignored (logged); the login waits for its own until the timeout.
                #expect(error?.code == .timeout)
                #expect(harness.envText == AuthHarness.initialEnv)
                #expect(await consent.authorizations.first?.redeemed == false)
            }
        }
    }

    @Test("denied consent is reported clearly and nothing is written")
    func denied() async throws {
        try await withExample { consent, provider in
            await consent.decide(.deny)
            try await AuthHarness.with { harness in
                let error = await #expect(throws: PublishError.self) {
                    try await harness.login(provider, settings: [:])
                }
                #expect(error?.code == .permissionDenied)
                #expect(error?.platformCode == "access_denied")
                #expect(error?.description.contains("denied in the browser") == true)
                #expect(harness.browser.lastPage?.body.contains("Access was denied") == true)
                #expect(harness.envText == AuthHarness.initialEnv)
            }
        }
    }

    @Test("the fake checks the PKCE verifier: a wrong one is invalid_grant")
    func wrongVerifier() async throws {
        try await withExample { _, provider in
            var provider = provider
            provider.wrongVerifier = true
            try await AuthHarness.with { harness in
                let error = await #expect(throws: PublishError.self) {
                    try await harness.login(provider, settings: [:])
                }
                #expect(error?.code == .authentication)
                #expect(error?.platformCode == "invalid_grant")
                #expect(error?.message.contains("Code verifier or code challenge is invalid") == true)
                #expect(harness.envText == AuthHarness.initialEnv)
            }
        }
    }

    @Test("no redirect within the timeout: a timeout error, nothing written")
    func timeout() async throws {
        try await withExample { _, provider in
            try await AuthHarness.with(followsBrowser: false) { harness in
                let error = await #expect(throws: PublishError.self) {
                    try await harness.login(provider, settings: [:], options: .init(timeout: .milliseconds(200)))
                }
                #expect(error?.code == .timeout)
                #expect(error?.platform == PlatformID("example"))
                #expect(harness.envText == AuthHarness.initialEnv)
            }
        }
    }

    @Test("no browser available: the URL is printed and the loopback still works")
    func noBrowserOpener() async throws {
        try await withExample { _, provider in
            try await AuthHarness.with { harness in
                let (printed, printer) = AsyncStream.makeStream(of: URL.self)
                let console = LoginConsole(
                    openBrowser: { _ in false },
                    inform: { line in
                        harness.console.lines.withLock { $0.append(line) }
                        for word in line.split(whereSeparator: \.isWhitespace)
                        where word.hasPrefix("http") && word.contains("state=") {
                            if let url = URL(string: String(word)) { printer.yield(url) }
                        }
                    },
                    readLine: { _ in nil }, isInteractive: false)
                let context = OAuthContext(
                    transport: harness.transport, console: console, credentials: try harness.credentials([:]))
                async let report = OAuthLogin(provider: provider, context: context).run(
                    .init(timeout: AuthHarness.timeout))
                // The user opens the printed URL by hand.
                for await url in printed {
                    try await harness.browser.authorize(url)
                    break
                }
                #expect(try await report.keys.contains("EXAMPLE_ACCESS_TOKEN"))
                #expect(harness.console.transcript.contains("Open this URL in a browser on this machine"))
            }
        }
    }

    @Test("--no-browser: the pasted redirect URL is checked and exchanged")
    func pasteURL() async throws {
        try await withExample { consent, provider in
            try await AuthHarness.with { harness in
                let answers = LockedBox<[String]>([])
                let console = LoginConsole(
                    openBrowser: { _ in
                        Issue.record("paste mode must not open a browser"); return false
                    },
                    inform: { line in harness.console.lines.withLock { $0.append(line) } },
                    readLine: { _ in
                        // Play the browser on another machine: follow the printed URL to the consent page and copy
                        // the address it redirects to (nothing listens there).
                        let url = try #require(harness.console.printedURL)
                        let redirect = try await harness.browser.consent(url)
                        answers.withLock { $0.append(redirect.absoluteString) }
                        return redirect.absoluteString
                    },
                    isInteractive: true)
                let context = OAuthContext(
                    transport: harness.transport, console: console, credentials: try harness.credentials([:]))
                let report = try await OAuthLogin(provider: provider, context: context).run(.init(useBrowser: false))
                #expect(report.redirectURI.absoluteString == "http://127.0.0.1:8765/callback/")
                #expect(try harness.envValues()["EXAMPLE_ACCESS_TOKEN"] == "sandbox-example-access-token")
                #expect(answers.value.first?.contains("state=") == true)
                #expect(await consent.requests.first?["redirect_uri"] == "http://127.0.0.1:8765/callback/")
            }
        }
    }

    @Test("--redirect-uri: a registered https URI, a bare pasted code; junk is asked again")
    func pasteCodeWithRegisteredURI() async throws {
        try await withExample(pkce: nil) { consent, provider in
            await consent.register(redirectURI: "https://example.com/atom/callback")
            try await AuthHarness.with { harness in
                let console = LoginConsole(
                    openBrowser: { _ in false },
                    inform: { line in harness.console.lines.withLock { $0.append(line) } },
                    readLine: { prompt in
                        harness.console.prompts.withLock { $0.append(prompt) }
                        if harness.console.prompts.value.count == 1 { return "what?" }
                        let redirect = try await harness.browser.consent(try #require(harness.console.printedURL))
                        return try #require(
                            URLComponents(url: redirect, resolvingAgainstBaseURL: false)?.queryItems?.first {
                                $0.name == "code"
                            }?.value)
                    },
                    isInteractive: false)
                let context = OAuthContext(
                    transport: harness.transport, console: console, credentials: try harness.credentials([:]))
                let report = try await OAuthLogin(provider: provider, context: context)
                    .run(.init(redirectURI: URL(string: "https://example.com/atom/callback")))
                #expect(report.redirectURI.absoluteString == "https://example.com/atom/callback")
                #expect(harness.console.prompts.value.count == 2)
                #expect(harness.console.transcript.contains("neither a redirect URL"))
                #expect(try harness.envValues()["EXAMPLE_ACCESS_TOKEN"] == "sandbox-example-access-token")
            }
        }
    }

    @Test("paste mode with end of input: not authorized (exit 1, not 130), nothing written")
    func pasteEOF() async throws {
        try await withExample { _, provider in
            try await AuthHarness.with { harness in
                let error = await #expect(throws: PublishError.self) {
                    try await harness.login(provider, settings: [:], options: .init(useBrowser: false))
                }
                #expect(error?.code == .authentication)
                #expect(harness.envText == AuthHarness.initialEnv)
            }
        }
    }

    @Test("a pasted redirect whose state does not match is refused")
    func pasteForgedState() async throws {
        try await withExample { _, provider in
            try await AuthHarness.with(answers: [
                "http://127.0.0.1:8765/callback/?code=sandbox-example-code-1&state=forged"
            ]) { harness in
                let error = await #expect(throws: PublishError.self) {
                    try await harness.login(provider, settings: [:], options: .init(useBrowser: false))
                }
                #expect(error?.platformCode == "state_mismatch")
            }
        }
    }
}
