import AtomSandbox
import AtomTestSupport
import Foundation
@testable import InstagramAdapter
import PlatformKit
import PublishingCore
import Testing

@Suite("Instagram: long-lived token refresh and write-back")
struct InstagramTokenTests {
    /// Writes a real `.env` with the sandbox settings, a comment and an unrelated key.
    static func writeEnv(_ h: InstagramHarness, dir: String, expiresAt: String?) throws -> String {
        let path = dir + "/.env"
        var lines = ["# atom settings", "export TIKTOK_OPEN_ID=sandbox-open-id", ""]
        for (key, value) in h.settings(["INSTAGRAM_ACCESS_TOKEN_EXPIRES_AT": expiresAt]).sorted(by: { $0.key < $1.key })
        {
            lines.append("\(key)=\(value)")
        }
        lines.append("# the end")
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a token within 30 days of expiry is refreshed before the first call and written back to the .env")
    func refreshWritesBack() async throws {
        try await InstagramHarness.run { h in
            try await TemporaryDirectory.with { dir in
                let soon = ExpiryTime.format(InstagramHarness.now.addingTimeInterval(10 * 86_400))
                let path = try Self.writeEnv(h, dir: dir, expiresAt: soon)
                let env = try DotEnvFile(path: path)
                let publisher = try h.publisher(store: env)
                let job = try await InstagramHarness.job()
                let context = h.context(stagedURL: h.fileURL("vertical.mp4"))
                try await publisher.preflight(job, context: context)
                #expect(try await publisher.publish(job, context: context).status == .published)

                #expect(await h.fake.refreshCount == 1)
                let reread = try DotEnvFile(path: path)
                #expect(try reread.value(for: "INSTAGRAM_ACCESS_TOKEN") == "sandbox-instagram-access-token-refreshed-1")
                let expected = ExpiryTime.format(InstagramHarness.now.addingTimeInterval(5_184_000))
                #expect(try reread.value(for: "INSTAGRAM_ACCESS_TOKEN_EXPIRES_AT") == expected)
                let text = try String(contentsOfFile: path, encoding: .utf8)
                #expect(text.hasPrefix("# atom settings\nexport TIKTOK_OPEN_ID=sandbox-open-id\n\n"))
                #expect(text.hasSuffix("# the end\n"))
                let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
                #expect(mode?.intValue == 0o600)
                // Every later call used the new token in a header; only the refresh carried one in its query.
                let requests = await h.fake.requests
                #expect(requests.first?.path == "/refresh_access_token")
                #expect(requests.filter(\.tokenInURL).map(\.path) == ["/refresh_access_token"])
            }
        }
    }

    @Test("a token far from expiry is not refreshed")
    func noRefreshWhenFresh() async throws {
        try await InstagramHarness.run { h in
            try await h.publisher().preflight(try await InstagramHarness.job(), context: h.context())
            #expect(await h.fake.refreshCount == 0)
        }
    }

    @Test("an unknown expiry is learned with one refresh")
    func unknownExpiryRefreshesOnce() async throws {
        try await InstagramHarness.run { h in
            let store = MemoryCredentialStore(h.settings(["INSTAGRAM_ACCESS_TOKEN_EXPIRES_AT": nil]))
            let publisher = try h.publisher(store: store)
            let job = try await InstagramHarness.job()
            let context = h.context(stagedURL: h.fileURL("vertical.mp4"))
            try await publisher.preflight(job, context: context)
            _ = try await publisher.publish(job, context: context)
            #expect(await h.fake.refreshCount == 1)
            #expect(store.all["INSTAGRAM_ACCESS_TOKEN_EXPIRES_AT"] != nil)
        }
    }

    @Test("a refused early refresh keeps the still-valid token and writes nothing")
    func refusedRefreshIsNotFatal() async throws {
        let fake = InstagramFake()
        await fake.inject(.refreshRefused)
        try await InstagramHarness.run(fake) { h in
            let soon = ExpiryTime.format(InstagramHarness.now.addingTimeInterval(5 * 86_400))
            let store = MemoryCredentialStore(h.settings(["INSTAGRAM_ACCESS_TOKEN_EXPIRES_AT": soon]))
            let publisher = try h.publisher(store: store)
            let job = try await InstagramHarness.job()
            let context = h.context(stagedURL: h.fileURL("vertical.mp4"))
            try await publisher.preflight(job, context: context)
            #expect(try await publisher.publish(job, context: context).status == .published)
            #expect(store.all["INSTAGRAM_ACCESS_TOKEN"] == fake.initialToken)
            #expect(await h.fake.requests.filter { $0.path == "/refresh_access_token" }.count == 1)
        }
    }

    @Test("an expired token is refused before any request")
    func expiredTokenRefusedOffline() async throws {
        try await InstagramHarness.run { h in
            let past = ExpiryTime.format(InstagramHarness.now.addingTimeInterval(-3600))
            let publisher = try h.publisher(["INSTAGRAM_ACCESS_TOKEN_EXPIRES_AT": past])
            let error = try await #require(throws: PublishError.self) {
                try await publisher.preflight(try await InstagramHarness.job(), context: h.context())
            }
            #expect(error.isInstagram(.authentication))
            #expect(error.remediation == "run `atom auth instagram`")
            #expect(await h.fake.requests.isEmpty)
        }
    }

    @Test("Facebook Login tokens are used as they are (no Instagram refresh)")
    func facebookLoginNeverRefreshes() async throws {
        try await InstagramHarness.run { h in
            let soon = ExpiryTime.format(InstagramHarness.now.addingTimeInterval(86_400))
            let publisher = try h.publisher(["INSTAGRAM_LOGIN": "facebook", "INSTAGRAM_ACCESS_TOKEN_EXPIRES_AT": soon])
            try await publisher.preflight(try await InstagramHarness.job(), context: h.context())
            #expect(await h.fake.refreshCount == 0)
        }
    }
}
