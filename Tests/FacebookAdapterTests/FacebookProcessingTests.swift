import AtomSandbox
import AtomTestSupport
import Foundation
import PlatformKit
import PublishingCore
import Testing

@testable import FacebookAdapter

@Suite("Facebook processing, status() continuation and resumes that must not finish twice")
struct FacebookProcessingTests {
    @Test("slow processing returns processing with a checkpoint; status() finishes it without re-uploading or re-finishing",
          arguments: ["vertical.mp4", "landscape.mp4"])
    func processingThenStatus(fixture: String) async throws {
        let job = try await makeJob(fixture)
        try await withFacebookFake { fake, _, publisher in
            fake.inject(.slowProcessing(polls: 12))
            let first = Recorder()
            let receipt = try await publisher.publish(job, context: first.context(waitLimit: .seconds(10)))
            #expect(receipt.status == .processing)
            let id = try #require(receipt.postID)
            #expect(receipt.url != nil)
            #expect(receipt.note?.contains("atom status") == true)
            let checkpoint = try #require(receipt.checkpoint)
            #expect(try checkpoint.decode(FacebookCheckpoint.self).stage == .finished)
            #expect(first.clock.sleeps == [.seconds(5), .seconds(5)])  // the wait is spent in poll intervals

            var later = job
            later.checkpoint = checkpoint
            later.file = nil  // the file is not needed once the upload is finished
            let done = try await publisher.status(later, context: Recorder().context())
            #expect(done.status == .published)
            #expect(done.postID == id)
            let video = try #require(fake.video(id))
            #expect(video.finishCount == 1)
            #expect(video.uploadRequests == 1)
            #expect(video.sha256 == job.sha256)
            #expect(fake.videos.count == 1)
        }
    }

    @Test("a run stopped before the finish call (stage finishing, not taken) finishes once on resume, uploading nothing")
    func resumeBeforeFinish() async throws {
        let job = try await makeJob("vertical.mp4")
        try await withFacebookFake { fake, _, publisher in
            fake.inject(.graphError(.reelsFinish, .permission))
            let first = Recorder()
            let error = await #expect(throws: PublishError.self) { try await publisher.publish(job, context: first.context()) }
            #expect(error?.code == .permissionDenied)
            let checkpoint = try #require(first.lastCheckpoint)
            #expect(checkpoint.stage == .finishing)

            var resumed = job
            resumed.checkpoint = first.checkpoints.value.last
            let receipt = try await publisher.publish(resumed, context: Recorder().context())
            #expect(receipt.status == .published)
            let video = try #require(fake.video(checkpoint.videoID))
            #expect(video.finishCount == 1)
            #expect(video.uploadRequests == 1)
        }
    }

    @Test("a run stopped after the finish call took effect (stage finishing) does not send it again",
          arguments: ["vertical.mp4", "landscape.mp4"])
    func finishNotRepeated(fixture: String) async throws {
        let job = try await makeJob(fixture)
        try await withFacebookFake { fake, _, publisher in
            fake.inject(.slowProcessing(polls: 3))
            let first = Recorder()
            let receipt = try await publisher.publish(job, context: first.context(waitLimit: .zero))
            #expect(receipt.status == .processing)
            // Pretend the run died between sending the finish call and journaling its success.
            var checkpoint = try #require(first.lastCheckpoint)
            checkpoint.stage = .finishing
            var resumed = job
            resumed.checkpoint = try JSONValue.encoding(checkpoint)
            let done = try await publisher.publish(resumed, context: Recorder().context())
            #expect(done.status == .published)
            #expect(fake.video(checkpoint.videoID)?.finishCount == 1)
        }
    }

    @Test("a checkpoint for another file is ignored: the post starts over")
    func foreignCheckpoint() async throws {
        let job = try await makeJob("vertical.mp4")
        try await withFacebookFake { fake, _, publisher in
            let stale = FacebookCheckpoint(format: .reel, mode: "push", stage: .finished, videoID: "1", fileSize: 1, sha256: "other")
            var resumed = job
            resumed.checkpoint = try JSONValue.encoding(stale)
            let receipt = try await publisher.publish(resumed, context: Recorder().context())
            #expect(receipt.postID != "1")
            #expect(fake.videos.count == 1)
        }
    }
}
