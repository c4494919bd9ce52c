import AtomSandbox
import AtomTestSupport
import Foundation
import HTTPTypes
import PlatformKit
import PublishingCore
import Testing
@testable import YouTubeAdapter

@Suite("YouTube errors")
struct YouTubeErrorTests {
    struct PermanentCase: Sendable, CustomTestStringConvertible {
        var error: FakeGoogleError
        var code: PublishError.Code
        var remediation: String
        var testDescription: String { error.reason }
    }

    static let permanent: [PermanentCase] = [
        PermanentCase(error: .quotaExceeded, code: .quotaExceeded, remediation: "midnight Pacific Time"),
        PermanentCase(error: .uploadLimitExceeded, code: .quotaExceeded, remediation: "24 hours"),
        PermanentCase(error: .forbidden, code: .permissionDenied, remediation: "atom auth youtube"),
        PermanentCase(
            error: FakeGoogleError(status: 403, reason: "authenticatedUserNotChannel", message: "no channel"),
            code: .permissionDenied, remediation: "create one"),
    ]

    @Test("permanent errors at session start are not retried and say what to do", arguments: permanent)
    func permanentErrors(_ item: PermanentCase) async throws {
        try await YouTubeHarness.run { h in
            await h.fake.inject(.sessionStartError(item.error, times: 5))
            let error = try await #require(throws: PublishError.self) {
                try await h.publisher().publish(h.job(), context: h.context())
            }
            #expect(error.code == item.code)
            #expect(error.platformCode == item.error.reason)
            #expect(error.httpStatus == item.error.status)
            #expect(error.message == item.error.message)
            #expect(error.isRetryable == false)
            #expect(error.remediation?.contains(item.remediation) == true)
            #expect(error.platform == .youtube)
            #expect(h.clock.sleeps.isEmpty)  // no retry
            #expect(await h.fake.stats().sessionsStarted == 0)
        }
    }

    @Test(
        "metadata YouTube refuses maps to invalidInput with the field to fix",
        arguments: [
            ("invalidTitle", PostDraft(title: "a <b> title")),
            ("invalidCategoryId", PostDraft(title: "t", options: ["category_id": .string("9999")])),
            ("invalidTags", PostDraft(title: "t", tags: Array(repeating: "abcdefghij", count: 46))),
            ("invalidDescription", PostDraft(caption: String(repeating: "é", count: 2501), title: "t")),
        ])
    func invalidMetadata(_ reason: String, _ draft: PostDraft) async throws {
        try await YouTubeHarness.run { h in
            // Sent as is (the core's offline check is bypassed) so the fake's own rules answer.
            let error = try await #require(throws: PublishError.self) {
                try await h.publisher().publish(h.job(draft), context: h.context())
            }
            #expect(error.code == .invalidInput)
            #expect(error.platformCode == reason)
            #expect(error.isRetryable == false)
            #expect(error.remediation != nil)
        }
    }

    @Test("a schedule time in the past is refused by YouTube as invalidPublishAt")
    func invalidPublishAt() async throws {
        try await YouTubeHarness.run { h in
            let draft = PostDraft(title: "t", scheduledAt: YouTubeHarness.now.addingTimeInterval(-60))
            let error = try await #require(throws: PublishError.self) {
                try await h.publisher().publish(h.job(draft), context: h.context())
            }
            #expect(error.platformCode == "invalidPublishAt")
            #expect(error.code == .invalidInput)
        }
    }

    @Test(
        "rate limits and backend errors are retried with backoff",
        arguments: [
            FakeGoogleError.rateLimitExceeded, .userRateLimitExceeded, .backendError,
        ])
    func retryableAtSessionStart(_ error: FakeGoogleError) async throws {
        try await YouTubeHarness.run { h in
            await h.fake.inject(.sessionStartError(error, times: 2))
            let receipt = try await h.publisher().publish(h.job(), context: h.context())
            #expect(receipt.status == .published)
            #expect(h.clock.sleeps == [.milliseconds(500), .seconds(1)])  // 1 s · 2ⁿ ceilings × jitter 0.5
            #expect(try await h.onlyVideo().sha256 == h.sha256)
        }
    }

    @Test("a Retry-After from YouTube wins over the computed backoff")
    func retryAfter() async throws {
        try await YouTubeHarness.run { h in
            var error = FakeGoogleError.rateLimitExceeded
            error.retryAfter = 7
            await h.fake.inject(.sessionStartError(error))
            _ = try await h.publisher().publish(h.job(), context: h.context())
            #expect(h.clock.sleeps == [.seconds(7)])
        }
    }

    @Test("a rate limit on a chunk: backoff, status query, the chunk again, byte-exact")
    func rateLimitOnChunk() async throws {
        try await YouTubeHarness.run { h in
            await h.fake.inject(.chunkError(chunk: 2, .userRateLimitExceeded))
            _ = try await h.publisher().publish(h.job(), context: h.context())
            #expect(try await h.onlyVideo().sha256 == h.sha256)
            let session = try #require(await h.fake.sessions().first)
            #expect(session.statusQueries == 1)
            #expect(await h.fake.stats().violations.isEmpty)
        }
    }

    @Test("retries give up after the policy's attempts with the last error")
    func retriesGiveUp() async throws {
        try await YouTubeHarness.run { h in
            await h.fake.inject(.sessionStartError(.backendError, times: 100))
            let error = try await #require(throws: PublishError.self) {
                try await h.publisher().publish(h.job(), context: h.context())
            }
            #expect(error.code == .server)
            #expect(error.isRetryable)
            #expect(h.clock.sleeps.count == 9)  // 10 attempts
        }
    }

    @Test(
        "Google's error JSON is parsed from recorded fixtures",
        arguments: [
            ("quotaExceeded.json", 403, PublishError.Code.quotaExceeded, false),
            ("uploadLimitExceeded.json", 400, .quotaExceeded, false),
            ("rateLimitExceeded.json", 403, .rateLimited, true),
            ("backendError.json", 503, .server, true),
            ("invalidTitle.json", 400, .invalidInput, false),
            ("authError.json", 401, .authentication, false),
        ])
    func recordedErrors(_ name: String, _ status: Int, _ code: PublishError.Code, _ retryable: Bool) throws {
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: Fixtures.path("youtube/" + name))))
        let mapper = YouTubeErrorMapper(platform: .youtube, now: { YouTubeHarness.now })
        let error = mapper.map(status: status, body: bytes, headers: [:], operationID: "youtube.test")
        #expect(error.code == code)
        #expect(error.isRetryable == retryable)
        #expect(error.platformCode == name.replacingOccurrences(of: ".json", with: ""))
        #expect(!error.message.isEmpty)
    }

    @Test("a non-JSON 5xx is retryable; a non-JSON 4xx is not")
    func nonJSONErrors() {
        let mapper = YouTubeErrorMapper(platform: .youtube, now: { YouTubeHarness.now })
        #expect(
            mapper.map(status: 502, body: Array("<html>Bad Gateway</html>".utf8), headers: [:], operationID: "t")
                .isRetryable)
        #expect(!mapper.map(status: 400, body: Array("nope".utf8), headers: [:], operationID: "t").isRetryable)
    }

    @Test("the Range header of a 308 gives the next offset; no Range means nothing stored")
    func rangeParsing() throws {
        #expect(try ResumableUploadClient.nextOffset(fromRange: "bytes=0-524287", operationID: "t") == 524_288)
        #expect(try ResumableUploadClient.nextOffset(fromRange: "0-99", operationID: "t") == 100)
        #expect(try ResumableUploadClient.nextOffset(fromRange: nil, operationID: "t") == 0)
        #expect(throws: YouTubeFailure.self) {
            try ResumableUploadClient.nextOffset(fromRange: "bytes=5-9", operationID: "t")
        }
    }
}
