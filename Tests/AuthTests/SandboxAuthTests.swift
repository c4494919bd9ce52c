import AtomSandbox
import AtomTestSupport
import FacebookAdapter
import Foundation
import InstagramAdapter
import OAuthLogin
import PlatformKit
import PublishingCore
import Testing
import TikTokAdapter
import YouTubeAdapter

@Suite("atom auth against `atom sandbox`")
struct SandboxAuthTests {
    @Test("every platform logs in with the sandbox's .env lines, and gets the tokens the sandbox's API fakes accept")
    func allPlatforms() async throws {
        try await TemporaryDirectory.with { storage in
            let sandbox = try Sandbox(storage: storage)
            try await FakeServer.run(services: sandbox.services) { server in
                let settings = sandbox.environment(server: server)
                for key in [
                    "ATOM_TIKTOK_AUTH_URL", "ATOM_GOOGLE_AUTH_URL", "ATOM_FACEBOOK_AUTH_URL", "ATOM_INSTAGRAM_AUTH_URL",
                    "ATOM_INSTAGRAM_OAUTH_BASE",
                    "FACEBOOK_APP_ID", "INSTAGRAM_APP_ID",
                ] {
                    #expect(settings[key] != nil, "\(key) missing from the sandbox environment")
                }
                try await AuthHarness.with { harness in
                    for factory in [OAuthProviderFactory.tiktok(), .youtube(), .facebook(), .instagram()] {
                        let report = try await harness.login(
                            factory, settings: settings, options: .init(port: 0, timeout: AuthHarness.timeout))
                        #expect(!report.keys.isEmpty, "\(factory.platform)")
                    }
                    let values = try harness.envValues()
                    #expect(values["TIKTOK_ACCESS_TOKEN"] == (await sandbox.tiktok.state.currentAccessToken))
                    #expect(values["FACEBOOK_PAGE_ACCESS_TOKEN"] == sandbox.facebook.configuration.accessToken)
                    #expect(values["FACEBOOK_PAGE_ID"] == sandbox.facebook.configuration.pageID)
                    #expect(values["INSTAGRAM_ACCESS_TOKEN"] == sandbox.instagram.initialToken)
                    #expect(values["INSTAGRAM_USER_ID"] == sandbox.instagram.userID)
                    #expect(values["YOUTUBE_REFRESH_TOKEN"]?.hasPrefix("sandbox-youtube-refresh-token-") == true)
                    #expect(values["ATOM_S3_BUCKET"] == "my-bucket")
                }
            }
        }
    }
}
