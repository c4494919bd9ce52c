import AtomSandbox
import AtomTestSupport
import Foundation
import PlatformKit
import PublishingCore
import Testing
@testable import TikTokAdapter

/// Writes a `.env` with the owner's own lines around the sandbox settings and returns a store over it.
private func dotEnvStore(
    at path: String, extra: [String: String] = [:]
) -> @Sendable ([String: String]) throws -> any CredentialStore {
    { values in
        let settings = values.merging(extra) { $1 }
        var lines = ["# atom settings — keep this file private", "export OTHER_SETTING='kept as is'", ""]
        for key in settings.keys.sorted() { lines.append("\(key)=\(settings[key] ?? "")") }
        lines.append("# trailing comment")
        try lines.joined(separator: "\n").appending("\n").write(toFile: path, atomically: true, encoding: .utf8)
        let file = try DotEnvFile(path: path)
        return ChainedCredentialStore([EnvironmentStore([:]), file], writer: file)
    }
}

@Suite("TikTok tokens over loopback")
struct TokenTests {
    @Test("after access_token_invalid atom refreshes once, retries, and writes both rotated tokens to the .env")
    func refreshAndWriteBack() async throws {
        try await TemporaryDirectory.with { dir in
            let envPath = dir + "/.env"
            let (file, _) = try await TestMedia.randomFile(in: dir, size: 300_000)
            try await TikTokRig.run(store: dotEnvStore(at: envPath)) { rig in
                await rig.fake.state.expireAccessTokens()
                let start = Date()
                let context = ContextRecorder().context()
                let job = TestMedia.job(file, draft: PostDraft(caption: "refresh", privacy: .private))
                try await rig.publisher.preflight(job, context: context)
                let receipt = try await rig.publisher.publish(job, context: context)
                #expect(receipt.status == .published)

                let log = await rig.fake.state.requests.map(\.endpoint)
                #expect(Array(log.prefix(3)) == [.creatorInfo, .token, .creatorInfo])
                #expect(await rig.fake.state.requests(to: .token).count == 1)

                let text = try String(contentsOfFile: envPath, encoding: .utf8)
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                #expect(lines.first == "# atom settings — keep this file private")
                #expect(lines[1] == "export OTHER_SETTING='kept as is'")
                #expect(lines.contains("# trailing comment"))
                let saved = try DotEnvFile(path: envPath)
                let access = await rig.fake.state.currentAccessToken
                let refresh = await rig.fake.state.currentRefreshToken
                #expect(try saved.value(for: "TIKTOK_ACCESS_TOKEN") == access)
                #expect(try saved.value(for: "TIKTOK_REFRESH_TOKEN") == refresh)
                #expect(refresh != "sandbox-tiktok-refresh-token")  // rotated
                #expect(try saved.value(for: "TIKTOK_CLIENT_SECRET") == "sandbox-tiktok-client-secret")
                let expiry = try #require(
                    try saved.value(for: "TIKTOK_ACCESS_TOKEN_EXPIRES_AT").flatMap {
                        ISO8601DateFormatter().date(from: $0)
                    })
                #expect(abs(expiry.timeIntervalSince(start) - 86_400) < 120)
                let mode = try FileManager.default.attributesOfItem(atPath: envPath)[.posixPermissions] as? NSNumber
                #expect(mode?.intValue == 0o600)
            }
        }
    }

    @Test("a token past TIKTOK_ACCESS_TOKEN_EXPIRES_AT is refreshed before the first call")
    func refreshAhead() async throws {
        try await TikTokRig.run(settings: { _ in ["TIKTOK_ACCESS_TOKEN_EXPIRES_AT": "2020-01-01T00:00:00Z"] }) { rig in
            let job = TestMedia.job(nil, size: 300_000, draft: PostDraft(caption: "x", privacy: .private))
            try await rig.publisher.preflight(job, context: ContextRecorder().context())
            let log = await rig.fake.state.requests
            #expect(log.map(\.endpoint) == [.token, .creatorInfo])
            #expect(log.allSatisfy { $0.status == 200 })
        }
    }

    @Test("an expired or revoked refresh token (invalid_grant) says to run `atom auth tiktok`")
    func invalidGrant() async throws {
        try await TikTokRig.run { rig in
            await rig.fake.state.expireAccessTokens()
            await rig.fake.state.inject(.oauthError(httpStatus: 400, error: "invalid_grant"))
            let job = TestMedia.job(nil, size: 300_000, draft: PostDraft(caption: "x", privacy: .private))
            await expectPublishError {
                try await rig.publisher.preflight(job, context: ContextRecorder().context())
            } where: { error in
                return error.code == .authentication && error.platformCode == "invalid_grant"
                    && error.remediation?.contains("atom auth tiktok") == true && error.diagnosticID != nil
            }
        }
    }

    @Test("without refresh credentials an expired token is an authentication error")
    func cannotRefresh() async throws {
        try await TikTokRig.run(store: { values in
            MemoryCredentialStore(values.filter { $0.key != "TIKTOK_REFRESH_TOKEN" })
        }) { rig in
            await rig.fake.state.expireAccessTokens()
            let job = TestMedia.job(nil, size: 300_000, draft: PostDraft(caption: "x", privacy: .private))
            await expectPublishError {
                try await rig.publisher.preflight(job, context: ContextRecorder().context())
            } where: { error in
                return error.code == .authentication && error.remediation?.contains("atom auth tiktok") == true
            }
            #expect(await rig.fake.state.requests(to: .token).isEmpty)
        }
    }

    @Test("errors and logs never show a token")
    func noSecretsInErrors() async throws {
        try await TikTokRig.run { rig in
            await rig.fake.state.expireAccessTokens()
            await rig.fake.state.inject(
                .oauthError(
                    httpStatus: 400, error: "invalid_grant", description: "bad token sandbox-tiktok-refresh-token"))
            let job = TestMedia.job(nil, size: 300_000, draft: PostDraft(caption: "x", privacy: .private))
            do {
                try await rig.publisher.preflight(job, context: ContextRecorder().context())
                Issue.record("expected a failure")
            } catch let error as PublishError {
                #expect(!error.description.contains("sandbox-tiktok-refresh-token"))
                #expect(!error.description.contains("sandbox-tiktok-access-token"))
            }
        }
    }
}
