import AtomSandbox
import AtomTestSupport
import Foundation
import PlatformKit
import PublishingCore
import Testing

@testable import FacebookAdapter

@Suite("Facebook error classes over loopback")
struct FacebookErrorTests {
    @Test("an expired token (190) stops preflight and publish with `atom auth facebook`; rupload refuses it too")
    func expiredToken() async throws {
        let job = try await makeJob("vertical.mp4")
        try await withFacebookFake { fake, _, publisher in
            fake.inject(.expiredToken)
            let preflight = await #expect(throws: PublishError.self) { try await publisher.preflight(job, context: Recorder().context()) }
            #expect(preflight?.code == .authentication)
            #expect(preflight?.platformCode == "190/463")
            #expect(preflight?.remediation?.contains("run `atom auth facebook`") == true)
            #expect(preflight?.platform == .facebook)
            let publish = await #expect(throws: PublishError.self) { try await publisher.publish(job, context: Recorder().context()) }
            #expect(publish?.code == .authentication)
            #expect(fake.videos.isEmpty)
            #expect(preflight.map { !$0.description.contains(fake.configuration.accessToken) } == true)
        }
    }

    @Test("a token that is not the Page's is refused at preflight")
    func wrongToken() async throws {
        let job = try await makeJob("vertical.mp4")
        try await withFacebookFake(settings: ["FACEBOOK_PAGE_ACCESS_TOKEN": "sandbox-some-other-token"]) { _, _, publisher in
            let error = await #expect(throws: PublishError.self) { try await publisher.preflight(job, context: Recorder().context()) }
            #expect(error?.code == .authentication)
        }
    }

    @Test("the Reels cap (30 per Page per 24 h) is quotaExceeded with a clear message, not retried")
    func reelsCap() async throws {
        let job = try await makeJob("vertical.mp4")
        try await withFacebookFake { fake, _, publisher in
            fake.setReelsPublishedInWindow(30)
            let recorder = Recorder()
            let error = await #expect(throws: PublishError.self) { try await publisher.publish(job, context: recorder.context()) }
            #expect(error?.code == .quotaExceeded)
            #expect(error?.isRetryable == false)
            #expect(error?.message.contains("30 Reels") == true)
            #expect(error?.remediation?.contains("reel: false") == true)
            #expect(fake.videos.first?.finishCount == 0)
            #expect(recorder.clock.sleeps.isEmpty)
        }
    }

    @Test("a processing error is processingFailed with Facebook's message")
    func processingError() async throws {
        let job = try await makeJob("landscape.mp4")
        try await withFacebookFake { fake, _, publisher in
            fake.inject(.processingError(message: "Video file is corrupt"))
            let error = await #expect(throws: PublishError.self) { try await publisher.publish(job, context: Recorder().context()) }
            #expect(error?.code == .processingFailed)
            #expect(error?.message.contains("Video file is corrupt") == true)
        }
    }

    @Test("a rate limit (code 4) is retried after a backoff")
    func rateLimited() async throws {
        let job = try await makeJob("vertical.mp4")
        try await withFacebookFake { fake, _, publisher in
            fake.inject(.graphError(.reelsStart, .rateLimited))
            let recorder = Recorder()
            let receipt = try await publisher.publish(job, context: recorder.context())
            #expect(receipt.status == .published)
            #expect(recorder.clock.sleeps.first == .milliseconds(500))  // 1 s ceiling × jitter 0.5
        }
    }

    @Test("a rate limit that persists ends as rateLimited, retryable")
    func rateLimitedPersistently() async throws {
        let job = try await makeJob("vertical.mp4")
        try await withFacebookFake { fake, _, publisher in
            for _ in 0..<6 { fake.inject(.graphError(.reelsStart, .rateLimited)) }
            let error = await #expect(throws: PublishError.self) { try await publisher.publish(job, context: Recorder().context()) }
            #expect(error?.code == .rateLimited)
            #expect(error?.isRetryable == true)
        }
    }

    @Test("a permission error (200) is permissionDenied and not retried")
    func permission() async throws {
        let job = try await makeJob("landscape.mp4")
        try await withFacebookFake { fake, _, publisher in
            fake.inject(.graphError(.videoStart, .permission))
            let recorder = Recorder()
            let error = await #expect(throws: PublishError.self) { try await publisher.publish(job, context: recorder.context()) }
            #expect(error?.code == .permissionDenied)
            #expect(error?.remediation?.contains("atom auth facebook") == true)
            #expect(recorder.clock.sleeps.isEmpty)
        }
    }

    @Test("a transient server error on a status read is retried")
    func transientStatus() async throws {
        let job = try await makeJob("landscape.mp4")
        try await withFacebookFake { fake, _, publisher in
            fake.inject(.graphError(.status, .transient))
            let receipt = try await publisher.publish(job, context: Recorder().context())
            #expect(receipt.status == .published)
        }
    }

    @Test("appsecret_proof: sent when FACEBOOK_APPSECRET_PROOF=1; an app that requires it refuses calls without")
    func appSecretProof() async throws {
        let job = try await makeJob("vertical.mp4")
        let requiring = FakeFacebook.Configuration(appSecret: "sandbox-facebook-app-secret", processingPolls: 0)
        try await withFacebookFake(requiring) { fake, _, publisher in
            #expect(publisher.configuration.appSecretProof != nil)
            let receipt = try await publisher.publish(job, context: Recorder().context())
            #expect(receipt.status == .published)
            #expect(fake.requests.filter { !$0.path.hasPrefix("/video-upload/") }.allSatisfy { $0.query.contains("appsecret_proof=") })
        }
        try await withFacebookFake(requiring, settings: ["FACEBOOK_APPSECRET_PROOF": "0"]) { _, _, publisher in
            let error = await #expect(throws: PublishError.self) { try await publisher.preflight(job, context: Recorder().context()) }
            #expect(error?.platformCode == "100")
            #expect(error?.message.contains("appsecret_proof") == true)
        }
    }

    @Test("a schedule outside the window that slipped past plan is refused by Facebook as invalid input")
    func scheduleRefused() async throws {
        let job = try await makeJob("landscape.mp4", draft: PostDraft(scheduledAt: Date().addingTimeInterval(60)))
        try await withFacebookFake { _, _, publisher in
            #expect(!publisher.plan(job.draft, media: job.media).problems.isEmpty)
            let error = await #expect(throws: PublishError.self) { try await publisher.publish(job, context: Recorder().context()) }
            #expect(error?.code == .invalidInput)
        }
    }

    @Test("cancellation surfaces as a cancelled PublishError")
    func cancellation() async throws {
        let job = try await makeJob("landscape.mp4")
        try await withFacebookFake { _, _, publisher in
            let task = Task { try await publisher.publish(job, context: Recorder().context()) }
            task.cancel()
            guard case .failure(let error) = await task.result else {
                Issue.record("a cancelled publish returned a receipt")
                return
            }
            #expect((error as? PublishError)?.code == .cancelled)
        }
    }
}
