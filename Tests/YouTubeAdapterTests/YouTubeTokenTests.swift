import AtomSandbox
import AtomTestSupport
import Foundation
import PlatformKit
import PublishingCore
import Testing
@testable import YouTubeAdapter

@Suite("YouTube tokens")
struct YouTubeTokenTests {
    @Test("an expired cached token is refreshed and written back to a real .env, keeping its other lines")
    func refreshWritesBack() async throws {
        try await YouTubeHarness.run { h in
            let path = h.directory + "/.env"
            var lines = ["# atom settings", "export OTHER_KEY=keep-me  # a comment", ""]
            for (key, value) in h.sandboxEnvironment.sorted(by: { $0.key < $1.key }) { lines.append("\(key)=\(value)") }
            lines += [
                "YOUTUBE_ACCESS_TOKEN=sandbox-stale-youtube-token",
                "YOUTUBE_ACCESS_TOKEN_EXPIRES_AT=2020-01-01T00:00:00Z",
                "TIKTOK_ACCESS_TOKEN='sandbox-tiktok-access-token'",
            ]
            try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            let publisher = try h.publisher(store: DotEnvFile(path: path))
            try await publisher.preflight(h.job(), context: h.context())

            let written = try String(contentsOfFile: path, encoding: .utf8).split(
                separator: "\n", omittingEmptySubsequences: false
            ).map(String.init)
            let expiry = YouTubeHarness.now.addingTimeInterval(3599).formatted(.iso8601)
            var expected = lines
            expected[expected.firstIndex(of: "YOUTUBE_ACCESS_TOKEN=sandbox-stale-youtube-token")!] =
                "YOUTUBE_ACCESS_TOKEN=sandbox-youtube-access-token-1"
            expected[expected.firstIndex(of: "YOUTUBE_ACCESS_TOKEN_EXPIRES_AT=2020-01-01T00:00:00Z")!] =
                "YOUTUBE_ACCESS_TOKEN_EXPIRES_AT=\(expiry)"
            #expect(written == expected + [""])
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            #expect(await h.fake.stats().refreshGrants == 1)

            // A second run reads the cached token and does not refresh again.
            let again = try h.publisher(store: DotEnvFile(path: path))
            let receipt = try await again.publish(h.job(), context: h.context())
            #expect(receipt.status == .published)
            #expect(await h.fake.stats().refreshGrants == 1)
        }
    }

    @Test("a 401 refreshes the token once and repeats the same request")
    func unauthorizedRefreshesAndRetries() async throws {
        try await YouTubeHarness.run { h in
            let publisher = try h.publisher()
            try await publisher.preflight(h.job(), context: h.context())
            await h.fake.expireAccessTokens()  // the cached token still looks fresh to atom
            let receipt = try await publisher.publish(h.job(), context: h.context())
            #expect(receipt.status == .published)
            let stats = await h.fake.stats()
            #expect(stats.unauthorizedAnswers == 1)
            #expect(stats.refreshGrants == 2)
            #expect(stats.sessionsStarted == 1)
            #expect(h.clock.sleeps.isEmpty)  // a refresh, not a backoff
            #expect(try await h.onlyVideo().sha256 == h.sha256)
        }
    }

    @Test("invalid_grant says to run `atom auth youtube` and explains the 7-day Testing expiry")
    func invalidGrant() async throws {
        try await YouTubeHarness.run { h in
            let publisher = try h.publisher(overrides: ["YOUTUBE_REFRESH_TOKEN": "sandbox-revoked-refresh-token"])
            let error = try await #require(throws: PublishError.self) {
                try await publisher.preflight(h.job(), context: h.context())
            }
            #expect(error.code == .authentication)
            #expect(error.platformCode == "invalid_grant")
            #expect(error.isRetryable == false)
            #expect(error.remediation?.contains("atom auth youtube") == true)
            #expect(error.remediation?.contains("7 days") == true)
            #expect(!error.description.contains("sandbox-revoked-refresh-token"))
        }
    }

    @Test("a wrong client secret is a configuration error naming the keys")
    func invalidClient() async throws {
        try await YouTubeHarness.run { h in
            let publisher = try h.publisher(overrides: ["YOUTUBE_CLIENT_SECRET": "sandbox-wrong-secret"])
            let error = try await #require(throws: PublishError.self) {
                try await publisher.preflight(h.job(), context: h.context())
            }
            #expect(error.code == .configuration)
            #expect(error.platformCode == "invalid_client")
            #expect(error.remediation?.contains("YOUTUBE_CLIENT_SECRET") == true)
        }
    }

    @Test("missing keys are a configuration error naming the key")
    func missingKeys() throws {
        let error = #expect(throws: PublishError.self) {
            _ = try YouTubePublisher.Configuration(
                store: MemoryCredentialStore(["YOUTUBE_CLIENT_ID": "sandbox-youtube-client-id"]))
        }
        #expect(error?.code == .configuration)
        #expect(error?.message == "YOUTUBE_CLIENT_SECRET is not set")
        #expect(error?.remediation?.contains("atom auth youtube") == true)
    }

    @Test("a chunk size that is not a multiple of 256 KiB is refused")
    func badChunkSize() throws {
        let store = MemoryCredentialStore([
            "YOUTUBE_CLIENT_ID": "a", "YOUTUBE_CLIENT_SECRET": "sandbox-secret",
            "YOUTUBE_REFRESH_TOKEN": "sandbox-refresh",
            "ATOM_YOUTUBE_CHUNK_SIZE": "1000000",
        ])
        #expect(throws: PublishError.self) { _ = try YouTubePublisher.Configuration(store: store) }
    }

    @Test("the configuration's description hides secrets")
    func configurationDescription() throws {
        let configuration = YouTubePublisher.Configuration(
            clientID: "id", clientSecret: "sandbox-client-secret-value",
            refreshToken: "sandbox-refresh-token-value")
        #expect(!configuration.description.contains("sandbox-client-secret-value"))
        #expect(!configuration.description.contains("sandbox-refresh-token-value"))
    }
}
