import AtomSandbox
import AtomTestSupport
import Foundation
import PlatformKit
import PublishingCore
import Testing

@testable import FacebookAdapter

/// 32 KiB chunks: landscape.mp4 (148,497 bytes) takes five transfers.
private let smallChunks = FakeFacebook.Configuration(chunkSize: 32 * 1024, processingPolls: 1)
private let chunkStarts: [Int64] = [0, 32_768, 65_536, 98_304, 131_072]

@Suite("Facebook Page videos over loopback (AsyncHTTPClient → FakeFacebook)")
struct FacebookPageVideoTests {
    @Test("landscape.mp4 goes up in several chunk transfers, byte-exact, with title and description")
    func chunkedByteExact() async throws {
        let job = try await makeJob("landscape.mp4", draft: PostDraft(caption: "Wide bay", title: "The bay"))
        try await withFacebookFake(smallChunks) { fake, _, publisher in
            let recorder = Recorder()
            let receipt = try await publisher.publish(job, context: recorder.context())
            #expect(receipt.status == .published)
            let id = try #require(receipt.postID)
            #expect(receipt.url == "https://www.facebook.com/\(fake.configuration.pageID)/videos/\(id)/")
            let video = try #require(fake.video(id))
            #expect(video.format == "video")
            #expect(video.declaredSize == job.media.sizeBytes)
            #expect(video.uploadOffsets == chunkStarts)
            #expect(video.bytesReceived == job.media.sizeBytes)
            #expect(video.sha256 == job.sha256)
            #expect(video.title == "The bay")
            #expect(video.description == "Wide bay")
            #expect(video.videoState == "PUBLISHED")
            #expect(video.finishCount == 1)
            #expect(fake.transferCount == 5)
            // The offsets are journaled after every chunk.
            let offsets = recorder.checkpoints.value.compactMap { try? $0.decode(FacebookCheckpoint.self).startOffset }
            #expect(Array(Set(offsets)).sorted() == chunkStarts + [job.media.sizeBytes])
            let counts = await recorder.uploadedByteCounts()
            #expect(counts == counts.sorted())
            #expect(counts.last == job.media.sizeBytes)
        }
    }

    @Test("a 5xx on a transfer is retried with the same offsets")
    func transferServerError() async throws {
        let job = try await makeJob("landscape.mp4")
        try await withFacebookFake(smallChunks) { fake, _, publisher in
            fake.inject(.transferServerError(transfer: 2))
            let receipt = try await publisher.publish(job, context: Recorder().context())
            let video = try requireVideo(fake, receipt)
            #expect(video.uploadOffsets == chunkStarts)
            #expect(video.sha256 == job.sha256)
            #expect(fake.transferCount == 6)
        }
    }

    @Test("a connection dropped mid-chunk is retried; the partial chunk is not kept")
    func transferDropped() async throws {
        let job = try await makeJob("landscape.mp4")
        try await withFacebookFake(smallChunks) { fake, _, publisher in
            fake.inject(.transferDropped(transfer: 3, afterBytes: 10_000))
            let receipt = try await publisher.publish(job, context: Recorder().context())
            let video = try requireVideo(fake, receipt)
            #expect(video.sha256 == job.sha256)
            #expect(video.bytesReceived == job.media.sizeBytes)
            #expect(fake.transferCount == 6)
        }
    }

    @Test("a chunk taken whose answer was lost: the retry gets the server's offsets (1363037) and goes on from them")
    func answerLost() async throws {
        let job = try await makeJob("landscape.mp4")
        try await withFacebookFake(smallChunks) { fake, _, publisher in
            fake.inject(.transferAnswerLost(transfer: 2))
            let receipt = try await publisher.publish(job, context: Recorder().context())
            let video = try requireVideo(fake, receipt)
            #expect(video.uploadOffsets == [0, 32_768, 32_768, 65_536, 98_304, 131_072])
            #expect(video.bytesReceived == job.media.sizeBytes)
            #expect(video.sha256 == job.sha256)
        }
    }

    @Test("an offset mismatch answer (1363037) is followed: the server's offsets, not ours")
    func offsetMismatch() async throws {
        let job = try await makeJob("landscape.mp4")
        try await withFacebookFake(smallChunks) { fake, _, publisher in
            fake.inject(.transferOffsetMismatch(transfer: 1))
            let receipt = try await publisher.publish(job, context: Recorder().context())
            let video = try requireVideo(fake, receipt)
            #expect(video.uploadOffsets == [0, 16_384, 49_152, 81_920, 114_688, 147_456])
            #expect(video.sha256 == job.sha256)
        }
    }

    @Test("an interrupted chunked upload continues in the next run from the journaled offsets")
    func resumesInNextRun() async throws {
        let job = try await makeJob("landscape.mp4")
        try await withFacebookFake(smallChunks, adjust: { $0.retryPolicy = .none }) { fake, _, publisher in
            fake.inject(.transferDropped(transfer: 4, afterBytes: 1_000))
            let first = Recorder()
            await #expect(throws: PublishError.self) { try await publisher.publish(job, context: first.context()) }
            let checkpoint = try #require(first.lastCheckpoint)
            #expect(checkpoint.stage == .started)
            #expect(checkpoint.startOffset == 98_304)

            var resumed = job
            resumed.checkpoint = first.checkpoints.value.last
            let receipt = try await publisher.publish(resumed, context: Recorder().context())
            let video = try requireVideo(fake, receipt)
            #expect(video.uploadOffsets == chunkStarts)
            #expect(video.sha256 == job.sha256)
            #expect(fake.videos.count == 1)
        }
    }

    @Test("url mode: one POST with file_url; the fake downloads the staged copy")
    func urlMode() async throws {
        let job = try await makeJob("landscape.mp4", draft: PostDraft(caption: "Wide", title: "Bay"))
        try await withFacebookFake(settings: ["FACEBOOK_UPLOAD_MODE": "url"]) { fake, server, publisher in
            let recorder = Recorder()
            let url = fixtureURL(server, "landscape.mp4")
            let receipt = try await publisher.publish(job, context: recorder.context(stagedURL: url))
            #expect(receipt.status == .published)
            let video = try requireVideo(fake, receipt)
            #expect(video.fileURL == url.absoluteString)
            #expect(video.sha256 == job.sha256)
            #expect(video.title == "Bay")
            #expect(video.finishCount == 1)
            #expect(fake.transferCount == 0)
            #expect(recorder.releases.value >= 1)
        }
    }

    @Test("scheduling: published=false with scheduled_publish_time")
    func scheduled() async throws {
        let at = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 40 * 86_400).rounded(.down))
        let job = try await makeJob("landscape.mp4", draft: PostDraft(caption: "Later", scheduledAt: at))
        try await withFacebookFake(smallChunks) { fake, _, publisher in
            let receipt = try await publisher.publish(job, context: Recorder().context())
            #expect(receipt.note?.contains("scheduled for") == true)
            let video = try requireVideo(fake, receipt)
            #expect(video.videoState == "SCHEDULED")
            #expect(video.scheduledPublishTime == Int64(at.timeIntervalSince1970))
        }
    }
}
