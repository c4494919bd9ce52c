import AtomSandbox
import AtomTestSupport
import Foundation
import InstagramAdapter
import PlatformKit
import PublishingCore
import Testing

@Suite("Instagram: every error class over loopback")
struct InstagramErrorTests {
    @Test("a spent 24-hour quota is refused in preflight, before anything is staged or created")
    func quotaSpentRefusedInPreflight() async throws {
        try await InstagramHarness.run(InstagramFake(quotaTotal: 50, quotaUsage: 50)) { h in
            let publisher = try h.publisher()
            let job = try await InstagramHarness.job()
            let error = try await #require(throws: PublishError.self) {
                try await publisher.preflight(job, context: h.context(stagedURL: h.fileURL("vertical.mp4")))
            }
            #expect(error.isInstagram(.quotaExceeded))
            #expect(!error.isRetryable)
            #expect(error.message.contains("50 of 50"))
            #expect(await h.fake.allContainers.isEmpty)
            #expect(h.log.stagedRequests.value == 0)
        }
    }

    @Test("quota spent between preflight and publish: media_publish's 9/2207042 is a quota error, not retried")
    func quotaSpentAtPublish() async throws {
        try await InstagramHarness.run { h in
            let publisher = try h.publisher()
            let job = try await InstagramHarness.job()
            let context = h.context(stagedURL: h.fileURL("vertical.mp4"))
            try await publisher.preflight(job, context: context)
            await h.fake.inject(.quotaSpent)
            let error = try await #require(throws: PublishError.self) {
                try await publisher.publish(job, context: context)
            }
            #expect(error.isInstagram(.quotaExceeded))
            #expect(error.platformCode == "9/2207042")
            #expect(error.diagnosticID?.hasPrefix("AsbxTrace") == true)
            #expect(await h.fake.publishCount == 0)
        }
    }

    @Test("a staged URL the fake cannot download: container ERROR with the real download error, staging released")
    func downloadFailure() async throws {
        try await InstagramHarness.run { h in
            let error = try await #require(throws: PublishError.self) {
                try await h.publisher().publish(
                    try await InstagramHarness.job(), context: h.context(stagedURL: h.fileURL("missing/vertical.mp4")))
            }
            #expect(error.isInstagram(.processingFailed))
            #expect(error.message.contains("HTTP 404"))
            #expect(error.message.contains("Media download has failed"))
            #expect(h.log.releases.value >= 1)
        }
    }

    @Test("a file that is not a video: the fake's processing fails with its status text")
    func notAVideo() async throws {
        try await InstagramHarness.run { h in
            let error = try await #require(throws: PublishError.self) {
                try await h.publisher().publish(
                    try await InstagramHarness.job(), context: h.context(stagedURL: h.fileURL("not-a-video.mp4")))
            }
            #expect(error.isInstagram(.processingFailed))
            #expect(error.message.contains("2207026"))
        }
    }

    @Test("processing ERROR surfaces Instagram's status text; EXPIRED asks to start over")
    func processingErrorAndExpired() async throws {
        let fake = InstagramFake()
        await fake.inject(.processingError("ERROR: The aspect ratio is not supported (2207009)"))
        try await InstagramHarness.run(fake) { h in
            let publisher = try h.publisher()
            let job = try await InstagramHarness.job()
            let failed = try await #require(throws: PublishError.self) {
                try await publisher.publish(job, context: h.context(stagedURL: h.fileURL("vertical.mp4")))
            }
            #expect(failed.isInstagram(.processingFailed))
            #expect(failed.message.contains("The aspect ratio is not supported (2207009)"))
            #expect(h.log.releases.value >= 1)

            await fake.clearFaults()
            await fake.inject(.expireContainers)
            let expired = try await #require(throws: PublishError.self) {
                try await publisher.publish(job, context: h.context(stagedURL: h.fileURL("vertical.mp4")))
            }
            #expect(expired.isInstagram(.notFound))
            #expect(expired.remediation?.contains("atom post") == true)
            #expect(await h.fake.publishCount == 0)
        }
    }

    @Test("rate limit 80002 waits the X-Business-Use-Case-Usage time, then goes on", arguments: [1, 3])
    func businessRateLimit(minutes: Int) async throws {
        let fake = InstagramFake()
        await fake.inject(.rateLimit(code: 80002, times: 1, regainMinutes: minutes))
        try await InstagramHarness.run(fake) { h in
            let publisher = try h.publisher()
            let job = try await InstagramHarness.job()
            let context = h.context(stagedURL: h.fileURL("vertical.mp4"))
            try await publisher.preflight(job, context: context)
            #expect(h.clock.sleeps == [.seconds(60 * minutes)])
            #expect(try await publisher.publish(job, context: context).status == .published)
        }
    }

    @Test("rate limit code 4 (app) backs off and retries; past the retry budget it surfaces as rateLimited")
    func appRateLimit() async throws {
        let fake = InstagramFake()
        await fake.inject(.rateLimit(code: 4, times: 2))
        try await InstagramHarness.run(fake) { h in
            let publisher = try h.publisher()
            let context = h.context(stagedURL: h.fileURL("vertical.mp4"))
            try await publisher.preflight(try await InstagramHarness.job(), context: context)
            #expect(h.clock.sleeps == [.seconds(1), .seconds(2)])

            await fake.inject(.rateLimit(code: 4, times: 10))
            let error = try await #require(throws: PublishError.self) {
                try await publisher.preflight(try await InstagramHarness.job(), context: context)
            }
            #expect(error.isInstagram(.rateLimited))
            #expect(error.isRetryable)
            #expect(error.platformCode == "4")
        }
    }

    @Test("a transient 500 (code 2) is retried")
    func transientServerError() async throws {
        let fake = InstagramFake()
        await fake.inject(.serverError(times: 2))
        try await InstagramHarness.run(fake) { h in
            let receipt = try await h.publisher().publish(
                try await InstagramHarness.job(), context: h.context(stagedURL: h.fileURL("vertical.mp4")))
            #expect(receipt.status == .published)
            #expect(h.clock.sleeps.prefix(2) == [.seconds(1), .seconds(2)])
        }
    }

    @Test("an expired or revoked token (190) asks for `atom auth instagram`")
    func expiredToken() async throws {
        let fake = InstagramFake()
        await fake.inject(.expiredToken)
        try await InstagramHarness.run(fake) { h in
            let error = try await #require(throws: PublishError.self) {
                try await h.publisher().preflight(try await InstagramHarness.job(), context: h.context())
            }
            #expect(error.isInstagram(.authentication))
            #expect(error.platformCode == "190/463")
            #expect(error.remediation?.contains("run `atom auth instagram`") == true)
            #expect(!error.isRetryable)
        }
    }

    @Test("an unknown token is refused with 190 and never retried")
    func unknownToken() async throws {
        try await InstagramHarness.run { h in
            let publisher = try h.publisher(["INSTAGRAM_ACCESS_TOKEN": "sandbox-not-a-token-at-all"])
            let error = try await #require(throws: PublishError.self) {
                try await publisher.publish(
                    try await InstagramHarness.job(), context: h.context(stagedURL: h.fileURL("vertical.mp4")))
            }
            #expect(error.isInstagram(.authentication))
            #expect(h.clock.sleeps.isEmpty)
            #expect(!error.description.contains("sandbox-not-a-token-at-all"))
        }
    }

    @Test("a caption over Instagram's limits is refused by the strict fake too (code 100)")
    func fakeEnforcesCaptionLimits() async throws {
        try await InstagramHarness.run { h in
            let caption = (1...31).map { "#tag\($0)" }.joined(separator: " ")
            let publisher = try h.publisher()
            let job = try await InstagramHarness.job(draft: PostDraft(caption: caption))
            // The core refuses it offline from the declared TextLimit…
            let issues = Validation.check(
                publisher.plan(job.draft, media: job.media).texts, against: publisher.capabilities.textLimits,
                platform: .instagram)
            #expect(issues.map(\.message) == ["31 hashtags is over the 30 limit"])
            // …and the fake refuses it as Meta would if it ever got through.
            let error = try await #require(throws: PublishError.self) {
                try await publisher.publish(job, context: h.context(stagedURL: h.fileURL("vertical.mp4")))
            }
            #expect(error.isInstagram(.invalidInput))
            #expect(error.message.contains("30 hashtags"))
        }
    }
}
