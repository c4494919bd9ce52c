import AtomSandbox
import AtomTestSupport
import Foundation
import OAuthLogin
import PlatformKit
import PublishingCore
import Testing
import TikTokAdapter

@Suite("atom auth tiktok (Login Kit for desktop)")
struct TikTokAuthTests {
    static func settings(_ fake: TikTokFake, server: FakeServer) -> [String: String] {
        fake.sandboxEnvironment(server: server).filter {
            ["TIKTOK_CLIENT_KEY", "TIKTOK_CLIENT_SECRET", "ATOM_TIKTOK_API_BASE", "ATOM_TIKTOK_AUTH_URL"].contains(
                $0.key)
        }
    }

    @Test("loopback, hex PKCE checked by the fake: access/refresh tokens, open_id and expiry written")
    func fullFlow() async throws {
        let fake = TikTokFake()
        try await FakeServer.run(services: [fake]) { server in
            try await AuthHarness.with { harness in
                let report = try await harness.login(.tiktok(), settings: Self.settings(fake, server: server))
                #expect(
                    report.keys == [
                        "TIKTOK_ACCESS_TOKEN", "TIKTOK_ACCESS_TOKEN_EXPIRES_AT", "TIKTOK_OPEN_ID",
                        "TIKTOK_REFRESH_TOKEN",
                    ])
                let values = try harness.envValues()
                #expect(values["TIKTOK_ACCESS_TOKEN"] == (await fake.state.currentAccessToken))
                #expect(values["TIKTOK_REFRESH_TOKEN"] == (await fake.state.currentRefreshToken))
                #expect(values["TIKTOK_OPEN_ID"] == fake.state.configuration.openID)
                #expect(values["TIKTOK_ACCESS_TOKEN_EXPIRES_AT"] == "2027-01-16T08:00:00Z")
                #expect(values["ATOM_S3_BUCKET"] == "my-bucket")
                #expect(try harness.envMode() == 0o600)
                let token = try #require(await fake.state.requests(to: .token).first)
                #expect(token.status == 200)
                #expect(!harness.console.transcript.contains(values["TIKTOK_ACCESS_TOKEN"] ?? "?"))
                #expect(harness.browser.lastPage?.body.contains("You can close this tab") == true)
            }
        }
    }

    @Test("the authorization URL carries client_key, the three scopes, a 64-hex challenge and a loopback /callback/")
    func authorizationURL() throws {
        let store = MemoryCredentialStore(["TIKTOK_CLIENT_KEY": "key-1", "TIKTOK_CLIENT_SECRET": "secret-1"])
        let provider = try OAuthProviderFactory.tiktok().makeProvider(store)
        let pkce = PKCE(verifier: PKCETests.rfcVerifier, encoding: try #require(provider.pkce))
        let url = try provider.authorizationURL(
            for: AuthorizationRequest(
                redirectURI: provider.loopback.uri(port: 53682), state: "st", pkce: pkce))
        let items = Dictionary(
            uniqueKeysWithValues: (URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? []).map {
                ($0.name, $0.value ?? "")
            })
        #expect(url.absoluteString.hasPrefix("https://www.tiktok.com/v2/auth/authorize/?"))
        #expect(items["client_key"] == "key-1")
        #expect(items["scope"] == "user.info.basic,video.publish,video.upload")
        #expect(items["response_type"] == "code")
        #expect(items["redirect_uri"] == "http://127.0.0.1:53682/callback/")
        #expect(items["code_challenge"] == "13d31e961a1ad8ec2f16b10c4c982e0876a878ad6df144566ee1894acb70f9c3")
        #expect(items["code_challenge_method"] == "S256")
        #expect(items["state"] == "st")
    }

    @Test("denied consent: access_denied reported, nothing written, no token request")
    func denied() async throws {
        let fake = TikTokFake()
        await fake.state.inject(.consentDenied)
        try await FakeServer.run(services: [fake]) { server in
            try await AuthHarness.with { harness in
                let error = await #expect(throws: PublishError.self) {
                    try await harness.login(.tiktok(), settings: Self.settings(fake, server: server))
                }
                #expect(error?.code == .permissionDenied)
                #expect(error?.platform == .tiktok)
                #expect(error?.description.contains("run `atom auth tiktok` again") == true)
                #expect(await fake.state.requests(to: .token).isEmpty)
                #expect(harness.envText == AuthHarness.initialEnv)
            }
        }
    }

    @Test("a forged state is refused before any token request")
    func forgedState() async throws {
        let fake = TikTokFake()
        await fake.state.inject(.forgedState)
        try await FakeServer.run(services: [fake]) { server in
            try await AuthHarness.with { harness in
                let error = await #expect(throws: PublishError.self) {
                    try await harness.login(.tiktok(), settings: Self.settings(fake, server: server))
                }
                // The forged redirect is ignored (logged); the login waits for its own until the timeout.
                #expect(error?.code == .timeout)
                #expect(await fake.state.requests(to: .token).isEmpty)
                #expect(harness.envText == AuthHarness.initialEnv)
            }
        }
    }

    @Test("the token endpoint's OAuth error (with log_id) is reported as the platform's")
    func tokenError() async throws {
        let fake = TikTokFake()
        await fake.state.inject(.oauthError(error: "invalid_grant", description: "Authorization code is expired."))
        try await FakeServer.run(services: [fake]) { server in
            try await AuthHarness.with { harness in
                let error = await #expect(throws: PublishError.self) {
                    try await harness.login(.tiktok(), settings: Self.settings(fake, server: server))
                }
                #expect(error?.code == .authentication)
                #expect(error?.platformCode == "invalid_grant")
                #expect(error?.message.contains("Authorization code is expired.") == true)
                #expect(error?.diagnosticID != nil)
            }
        }
    }

    @Test("missing client key and secret: configuration error naming both and the portal")
    func missingClient() throws {
        let error = #expect(throws: PublishError.self) {
            try OAuthProviderFactory.tiktok().makeProvider(MemoryCredentialStore(["TIKTOK_CLIENT_KEY": "k"]))
        }
        #expect(error?.code == .configuration)
        #expect(error?.message == "TIKTOK_CLIENT_SECRET is not set")
        #expect(error?.remediation?.contains("http://127.0.0.1:*/callback/") == true)
    }
}
