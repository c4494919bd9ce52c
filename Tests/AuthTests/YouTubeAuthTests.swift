import AtomSandbox
import AtomTestSupport
import Foundation
import OAuthLogin
import PlatformKit
import PublishingCore
import Testing
import YouTubeAdapter

@Suite("atom auth youtube (Google installed-app flow)")
struct YouTubeAuthTests {
    private func settings(_ server: FakeServer, fake: FakeYouTube) -> [String: String] {
        [
            "YOUTUBE_CLIENT_ID": FakeYouTube.clientID, "YOUTUBE_CLIENT_SECRET": FakeYouTube.clientSecret,
            "ATOM_GOOGLE_AUTH_URL": fake.consentPage.authorizationURL(server: server),
            "ATOM_GOOGLE_TOKEN_URL": server.baseURL(for: FakeYouTube.oauthMountPath).absoluteString + "/token",
        ]
    }

    @Test("loopback, base64url PKCE, offline access: refresh + access token and expiry written")
    func fullFlow() async throws {
        let fake = FakeYouTube()
        try await FakeServer.run(services: fake.services) { server in
            try await AuthHarness.with { harness in
                let report = try await harness.login(.youtube(), settings: settings(server, fake: fake))
                #expect(
                    report.keys == ["YOUTUBE_ACCESS_TOKEN", "YOUTUBE_ACCESS_TOKEN_EXPIRES_AT", "YOUTUBE_REFRESH_TOKEN"])
                let values = try harness.envValues()
                #expect(values["YOUTUBE_REFRESH_TOKEN"]?.hasPrefix("sandbox-youtube-refresh-token-") == true)
                #expect(values["YOUTUBE_ACCESS_TOKEN"]?.hasPrefix("sandbox-youtube-access-token-") == true)
                #expect(values["YOUTUBE_ACCESS_TOKEN_EXPIRES_AT"] == "2027-01-15T08:59:59Z")
                #expect(values["ATOM_S3_BUCKET"] == "my-bucket")
                let request = try #require(await fake.consent.requests.first)
                #expect(request["access_type"] == "offline")
                #expect(request["prompt"] == "consent")
                #expect(request["code_challenge"]?.count == 43)
                #expect(
                    request["scope"]
                        == "https://www.googleapis.com/auth/youtube.upload https://www.googleapis.com/auth/youtube.readonly"
                )
                #expect(
                    request["redirect_uri"]?.range(of: #"^http://127\.0\.0\.1:\d+/$"#, options: .regularExpression)
                        != nil)
                #expect(await fake.consent.authorizations.first?.redeemed == true)
                #expect(!harness.console.transcript.contains(values["YOUTUBE_REFRESH_TOKEN"] ?? "?"))
            }
        }
    }

    @Test("the written refresh token works for the YouTube fake's refresh grant")
    func refreshTokenUsable() async throws {
        let fake = FakeYouTube()
        try await FakeServer.run(services: fake.services) { server in
            try await AuthHarness.with { harness in
                _ = try await harness.login(.youtube(), settings: settings(server, fake: fake))
                let refresh = try #require(try harness.envValues()["YOUTUBE_REFRESH_TOKEN"])
                let context = OAuthContext(
                    transport: harness.transport, console: harness.console.console, credentials: MemoryCredentialStore()
                )
                let answer = try await OAuthTokenEndpoint(
                    url: server.baseURL(for: FakeYouTube.oauthMountPath).appendingPathComponent("token"),
                    platform: .youtube
                )
                .exchange(
                    [
                        ("client_id", FakeYouTube.clientID), ("client_secret", FakeYouTube.clientSecret),
                        ("grant_type", "refresh_token"), ("refresh_token", refresh),
                    ], context: context)
                #expect(answer.string("access_token") != nil)
            }
        }
    }

    @Test("denied consent: permissionDenied, nothing written")
    func denied() async throws {
        let fake = FakeYouTube()
        await fake.consent.decide(.deny)
        try await FakeServer.run(services: fake.services) { server in
            try await AuthHarness.with { harness in
                let error = await #expect(throws: PublishError.self) {
                    try await harness.login(.youtube(), settings: settings(server, fake: fake))
                }
                #expect(error?.code == .permissionDenied)
                #expect(error?.platform == .youtube)
                #expect(harness.envText == AuthHarness.initialEnv)
            }
        }
    }

    @Test("a scope left unticked is reported as a note")
    func partialScopes() async throws {
        let fake = FakeYouTube()
        await fake.consent.decide(.grantOnly(["https://www.googleapis.com/auth/youtube.upload"]))
        try await FakeServer.run(services: fake.services) { server in
            try await AuthHarness.with { harness in
                let report = try await harness.login(.youtube(), settings: settings(server, fake: fake))
                #expect(report.notes.contains { $0.contains("did not grant youtube.readonly") })
            }
        }
    }

    @Test("missing client id and secret: configuration error naming both and the Cloud console")
    func missingClient() async throws {
        try await AuthHarness.with { harness in
            let error = #expect(throws: PublishError.self) {
                try OAuthProviderFactory.youtube().makeProvider(try harness.credentials([:]))
            }
            #expect(error?.code == .configuration)
            #expect(error?.message == "YOUTUBE_CLIENT_ID and YOUTUBE_CLIENT_SECRET are not set")
            #expect(error?.remediation?.contains("Desktop app") == true)
        }
    }
}
