import AtomSandbox
import AtomTestSupport
import Foundation
import PlatformKit
import PublishingCore
import Testing
import YouTubeAdapter

/// `atom schedule cancel` for YouTube: `videos.update` sets the scheduled video back to private without `publishAt`.
@Suite("YouTube: cancelling a publishAt schedule")
struct YouTubeCancelScheduleTests {
    @Test("a scheduled upload goes back to private with no publishAt; made-for-kids is kept")
    func cancelSchedule() async throws {
        try await YouTubeHarness.run { h in
            let at = YouTubeHarness.now.addingTimeInterval(86_400)
            let publisher = try h.publisher()
            let receipt = try await publisher.publish(
                h.job(PostDraft(title: "Sunrise", scheduledAt: at)), context: h.context())
            let scheduled = try await h.onlyVideo()
            #expect(scheduled.publishAt != nil)
            let canceller = try #require(publisher as? any ScheduleCancelling)
            let note = try await canceller.cancelScheduledPost(
                postID: try #require(receipt.postID), context: h.context())
            #expect(note.hasPrefix("set back to private without a publish time"))
            let video = try await h.onlyVideo()
            #expect(video.publishAt == nil)
            #expect(video.privacyStatus == "private")
            #expect(video.madeForKids == false)
            #expect(await h.fake.stats().violations.isEmpty)
        }
    }

    @Test("a video that is gone is notFound, naming YouTube")
    func goneVideo() async throws {
        try await YouTubeHarness.run { h in
            let canceller = try #require(try h.publisher() as? any ScheduleCancelling)
            let error = await #expect(throws: PublishError.self) {
                try await canceller.cancelScheduledPost(postID: "sbx99999999", context: h.context())
            }
            #expect(error?.code == .notFound)
            #expect(error?.platform == .youtube)
        }
    }
}
