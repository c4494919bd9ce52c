import AtomSandbox
import AtomTestSupport
import Foundation
import PlatformKit
import PublishingCore
import Testing

@testable import FacebookAdapter

@Suite("Facebook Reels over loopback (AsyncHTTPClient → FakeFacebook)")
struct FacebookReelsTests {
    @Test("vertical.mp4 is published as a Reel, byte-exact, token in headers only")
    func reelPushByteExact() async throws {
        let job = try await makeJob("vertical.mp4")
        try await withFacebookFake { fake, _, publisher in
            let recorder = Recorder()
            try await publisher.preflight(job, context: recorder.context())
            let receipt = try await publisher.publish(job, context: recorder.context())
            #expect(receipt.status == .published)
            let id = try #require(receipt.postID)
            #expect(receipt.url == "https://www.facebook.com/reel/\(id)")
            #expect(receipt.checkpoint == nil)
            let video = try #require(fake.video(id))
            #expect(video.format == "reel")
            #expect(video.bytesReceived == job.media.sizeBytes)
            #expect(video.sha256 == job.sha256)
            #expect(video.uploadOffsets == [0])
            #expect(video.finishCount == 1)
            #expect(video.videoState == "PUBLISHED")
            #expect(video.description == "Sunrise over the bay #sunrise")
            #expect(video.title == nil)

            let requests = fake.requests
            #expect(requests.allSatisfy { !$0.tokenInParameters && !$0.query.contains("access_token") })
            #expect(requests.filter { $0.path.hasPrefix("/video-upload/") }.map(\.authorizationScheme) == ["OAuth"])
            #expect(requests.filter { !$0.path.hasPrefix("/video-upload/") }.allSatisfy { $0.authorizationScheme == "Bearer" })

            let counts = await recorder.uploadedByteCounts()
            #expect(counts == counts.sorted())
            #expect(counts.last == job.media.sizeBytes)
            #expect(recorder.lastCheckpoint?.stage == .finished)
        }
    }

    @Test("a rupload dropped mid-body resumes from the bytes Facebook reports, never resending them")
    func resumesAfterDroppedRupload() async throws {
        let job = try await makeJob("vertical.mp4")
        try await withFacebookFake { fake, _, publisher in
            fake.inject(.ruploadDropped(afterBytes: 50_000))
            let receipt = try await publisher.publish(job, context: Recorder().context())
            #expect(receipt.status == .published)
            let video = try requireVideo(fake, receipt)
            #expect(video.uploadOffsets == [0, 50_000])
            #expect(video.bytesReceived == job.media.sizeBytes)
            #expect(video.sha256 == job.sha256)
            #expect(video.finishCount == 1)
        }
    }

    @Test("an interrupted rupload (no retries left) is resumed by the next run from the server's offset")
    func resumesInNextRun() async throws {
        let job = try await makeJob("vertical.mp4")
        try await withFacebookFake(adjust: { $0.retryPolicy = .none }) { fake, _, publisher in
            fake.inject(.ruploadDropped(afterBytes: 70_000))
            let first = Recorder()
            let error = await #expect(throws: PublishError.self) { try await publisher.publish(job, context: first.context()) }
            #expect(error?.code == .network)
            #expect(error?.isRetryable == true)
            let checkpoint = try #require(first.lastCheckpoint)
            #expect(checkpoint.stage == .started)

            var resumed = job
            resumed.checkpoint = first.checkpoints.value.last
            let receipt = try await publisher.publish(resumed, context: Recorder().context())
            #expect(receipt.postID == checkpoint.videoID)
            let video = try #require(fake.video(checkpoint.videoID))
            #expect(video.uploadOffsets == [0, 70_000])
            #expect(video.sha256 == job.sha256)
            #expect(fake.videos.count == 1)
        }
    }

    @Test("a 503 from rupload is retried after reading the offset back")
    func retriesRuploadServerError() async throws {
        let job = try await makeJob("vertical.mp4")
        try await withFacebookFake { fake, _, publisher in
            fake.inject(.ruploadServerError)
            let receipt = try await publisher.publish(job, context: Recorder().context())
            let video = try requireVideo(fake, receipt)
            #expect(video.uploadOffsets == [0])
            #expect(video.sha256 == job.sha256)
        }
    }

    @Test("url mode: rupload gets file_url, the fake downloads the staged copy, staging is released")
    func urlMode() async throws {
        let job = try await makeJob("vertical.mp4")
        try await withFacebookFake(settings: ["FACEBOOK_UPLOAD_MODE": "url"]) { fake, server, publisher in
            #expect(publisher.capabilities.ingestion == .publicURL)
            let recorder = Recorder()
            let url = fixtureURL(server, "vertical.mp4")
            let receipt = try await publisher.publish(job, context: recorder.context(stagedURL: url))
            #expect(receipt.status == .published)
            let video = try requireVideo(fake, receipt)
            #expect(video.fileURL == url.absoluteString)
            #expect(video.sha256 == job.sha256)
            #expect(video.bytesReceived == job.media.sizeBytes)
            #expect(video.finishCount == 1)
            #expect(recorder.stagedURLRequests.value == 1)
            #expect(recorder.releases.value >= 1)
        }
    }

    @Test("scheduling: video_state SCHEDULED with scheduled_publish_time")
    func scheduled() async throws {
        let at = Date().addingTimeInterval(2 * 86_400).rounded()
        let job = try await makeJob("vertical.mp4", draft: PostDraft(caption: "Later", scheduledAt: at))
        try await withFacebookFake { fake, _, publisher in
            let receipt = try await publisher.publish(job, context: Recorder().context())
            #expect(receipt.status == .published)
            #expect(receipt.note?.contains("scheduled for") == true)
            let video = try requireVideo(fake, receipt)
            #expect(video.videoState == "SCHEDULED")
            #expect(video.scheduledPublishTime == Int64(at.timeIntervalSince1970))
        }
    }

    @Test("reel: false posts a vertical video as a Page video; title goes with it")
    func forcedPageVideo() async throws {
        let draft = PostDraft(caption: "c", title: "Sunrise", options: ["reel": .bool(false), "description": .string("d")])
        let job = try await makeJob("vertical.mp4", draft: draft)
        try await withFacebookFake { fake, _, publisher in
            let receipt = try await publisher.publish(job, context: Recorder().context())
            let video = try requireVideo(fake, receipt)
            #expect(video.format == "video")
            #expect(video.title == "Sunrise")
            #expect(video.description == "d")
            #expect(video.sha256 == job.sha256)
        }
    }
}

extension Date {
    /// Whole seconds (`scheduled_publish_time` is in seconds).
    fileprivate func rounded() -> Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}
