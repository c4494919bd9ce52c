import AtomSandbox
import AtomTestSupport
import Foundation
import HTTPTypes
import PlatformKit
import PublishingCore
import Testing
@testable import TikTokAdapter

@Suite("TikTok errors")
struct ErrorTests {
    @Test(
        "each TikTok error code maps to its class",
        arguments: [
            ("rate_limit_exceeded", 429, PublishError.Code.rateLimited, true),
            ("internal_error", 500, .server, true),
            ("spam_risk_too_many_posts", 403, .quotaExceeded, false),
            ("spam_risk_too_many_pending_share", 403, .quotaExceeded, false),
            ("spam_risk_user_banned_from_posting", 403, .rejected, false),
            ("spam_risk_text", 403, .rejected, false),
            ("reached_active_user_cap", 403, .quotaExceeded, false),
            ("unaudited_client_can_only_post_to_private_accounts", 403, .permissionDenied, false),
            ("privacy_level_option_mismatch", 403, .invalidInput, false),
            ("url_ownership_unverified", 403, .configuration, false),
            ("invalid_params", 400, .invalidInput, false),
            ("invalid_param", 400, .invalidInput, false),
            ("access_token_invalid", 401, .authentication, false),
            ("scope_not_authorized", 401, .permissionDenied, false),
            ("something_new", 503, .server, true),
            ("something_new", 400, .rejected, false),
        ])
    func mapping(code: String, status: Int, expected: PublishError.Code, retryable: Bool) {
        let error = TikTokErrorMapper.map(
            TikTokAPIError(code: code, message: "msg", logID: "log-1"), status: status, headers: [:], now: Date(),
            operationID: "tiktok.init")
        #expect(error.code == expected)
        #expect(error.isRetryable == retryable)
        #expect(error.platformCode == code)
        #expect(error.diagnosticID == "log-1")
        #expect(error.platform == .tiktok)
        if !retryable { #expect(error.remediation != nil || expected == .rejected) }
    }

    @Test(
        "fail_reason values map to their class",
        arguments: [
            ("frame_rate_check_failed", PublishError.Code.unsupportedMedia, false),
            ("internal", .processingFailed, true),
            ("video_pull_failed", .processingFailed, true), ("auth_removed", .authentication, false),
            ("spam_risk_text", .rejected, false),
            ("spam_risk_too_many_posts", .quotaExceeded, false), ("publish_cancelled", .rejected, false),
        ])
    func failReasons(reason: String, expected: PublishError.Code, retryable: Bool) {
        let error = TikTokErrorMapper.mapFailure(reason: reason, publishID: "v_pub_file~v2-1.1")
        #expect(error.code == expected)
        #expect(error.isRetryable == retryable)
        #expect(error.message.contains(reason))
    }

    @Test("429 on init is retried after a backoff and then succeeds")
    func rateLimitRetried() async throws {
        try await TikTokRig.run { rig in
            await rig.fake.state.inject(.rateLimited(on: .directInit))
            let recorder = ContextRecorder()
            let job = TestMedia.job(nil, size: 300_000, draft: PostDraft(caption: "x", privacy: .private))
            try await TemporaryDirectory.with { dir in
                let (file, _) = try await TestMedia.randomFile(in: dir, size: 300_000)
                var withFile = job
                withFile.file = file
                let receipt = try await rig.publisher.publish(withFile, context: recorder.context())
                #expect(receipt.status == .published)
            }
            #expect(await rig.fake.state.requests(to: .directInit).map(\.status) == [429, 200])
            #expect(recorder.clock.sleeps.first.map { $0 > .zero } == true)
        }
    }

    @Test("creator_info's spam error comes with HTTP 200 and still stops the post, permanently")
    func spamAtHTTP200() async throws {
        try await TikTokRig.run { rig in
            await rig.fake.state.inject(.apiError(on: .creatorInfo, httpStatus: 200, code: "spam_risk_too_many_posts"))
            let job = TestMedia.job(nil, size: 300_000, draft: PostDraft(caption: "x", privacy: .private))
            await expectPublishError {
                try await rig.publisher.preflight(job, context: ContextRecorder().context())
            } where: { error in
                return error.code == .quotaExceeded && !error.isRetryable && error.httpStatus == 200
                    && error.diagnosticID?.hasPrefix("2026") == true && error.remediation?.contains("tomorrow") == true
            }
        }
    }

    @Test("an unaudited app posting publicly is told to use SELF_ONLY or get audited; nothing is uploaded")
    func unauditedApp() async throws {
        try await TemporaryDirectory.with { dir in
            let (file, _) = try await TestMedia.randomFile(in: dir, size: 300_000)
            try await TikTokRig.run(fake: TikTokFake.Configuration(audited: false, chunkRules: SmallChunks.fake)) {
                rig in
                let job = TestMedia.job(file, draft: TestMedia.publicDraft)
                await expectPublishError {
                    try await rig.publisher.publish(job, context: ContextRecorder().context())
                } where: { error in
                    return error.code == .permissionDenied && error.remediation?.contains("SELF_ONLY") == true
                        && error.remediation?.contains("audit") == true
                }
                #expect(await rig.fake.state.requests(to: .upload).isEmpty)
            }
        }
    }

    @Test("invalid_params from a plan the fake refuses is an input error with TikTok's message")
    func invalidParams() async throws {
        try await TemporaryDirectory.with { dir in
            let (file, _) = try await TestMedia.randomFile(in: dir, size: 1_000_123)
            let strict = TikTokFake.ChunkRules(
                minChunkSize: 300_000, maxChunkSize: 640_000, maxFinalChunkSize: 1_280_000, maxChunkCount: 1000)
            try await TikTokRig.run(fake: TikTokFake.Configuration(chunkRules: strict)) { rig in
                let job = TestMedia.job(file, draft: TestMedia.publicDraft)
                await expectPublishError {
                    try await rig.publisher.publish(job, context: ContextRecorder().context())
                } where: { error in
                    return error.code == .invalidInput && error.platformCode == "invalid_params"
                        && error.message.contains("chunk_size")
                }
            }
        }
    }

    @Test("scope_not_authorized asks for re-authorisation without a pointless refresh")
    func scopeMissing() async throws {
        try await TikTokRig.run { rig in
            await rig.fake.state.inject(.apiError(on: .creatorInfo, httpStatus: 401, code: "scope_not_authorized"))
            let job = TestMedia.job(nil, size: 300_000, draft: PostDraft(caption: "x", privacy: .private))
            await expectPublishError {
                try await rig.publisher.preflight(job, context: ContextRecorder().context())
            } where: { error in
                error.code == .permissionDenied
            }
            #expect(await rig.fake.state.requests(to: .token).isEmpty)
        }
    }

    @Test("internal_error on status/fetch is retried")
    func statusRetried() async throws {
        try await TemporaryDirectory.with { dir in
            let (file, _) = try await TestMedia.randomFile(in: dir, size: 300_000)
            try await TikTokRig.run { rig in
                await rig.fake.state.inject(.internalError(on: .status))
                let receipt = try await rig.publisher.publish(
                    TestMedia.job(file, draft: TestMedia.publicDraft), context: ContextRecorder().context())
                #expect(receipt.status == .published)
                #expect(await rig.fake.state.requests(to: .status).first?.status == 500)
            }
        }
    }

    @Test("FAILED surfaces TikTok's fail_reason, and a rerun starts a new post")
    func failedWithReason() async throws {
        try await TemporaryDirectory.with { dir in
            let (file, _) = try await TestMedia.randomFile(in: dir, size: 300_000)
            try await TikTokRig.run { rig in
                await rig.fake.state.inject(.failProcessing(reason: "frame_rate_check_failed"))
                let recorder = ContextRecorder()
                await expectPublishError {
                    try await rig.publisher.publish(
                        TestMedia.job(file, draft: TestMedia.publicDraft), context: recorder.context())
                } where: { error in
                    return error.code == .unsupportedMedia && error.platformCode == "frame_rate_check_failed"
                        && error.message.contains("frame_rate_check_failed")
                }
                #expect(TikTokCheckpoint.decode(recorder.lastCheckpoint) == nil)
            }
        }
    }
}
