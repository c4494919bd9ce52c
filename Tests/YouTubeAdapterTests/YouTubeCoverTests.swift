import AtomSandbox
import AtomTestSupport
import Foundation
import PlatformKit
import PublishingCore
import PublishingEngine
import Testing
@testable import YouTubeAdapter

@Suite(
    "YouTube covers: thumbnails.set after the upload, the unverified channel's 403, `atom status` retrying the cover"
)
struct YouTubeCoverTests {
    static func orchestrator(_ h: YouTubeHarness) -> Orchestrator {
        Orchestrator(
            stager: nil, records: RecordStore(directory: h.directory + "/state"), clock: h.clock,
            jitter: FixedJitter(0.5),
            now: { YouTubeHarness.now })
    }

    static func request(_ h: YouTubeHarness) throws -> PostRequest {
        let draft = PostDraft(
            caption: "Sunrise", cover: CoverChoice(imagePath: Fixtures.path("cover.jpg"), frameAt: 1.5))
        return PostRequest(
            videoPath: Fixtures.path("vertical.mp4"), targets: [PostTarget(publisher: try h.publisher(), draft: draft)])
    }

    static func coverSHA() async throws -> String {
        try await FileDigest.sha256(of: MediaFileHandle(path: Fixtures.path("cover.jpg")))
    }

    @Test("the image reaches thumbnails.set for the new video: a whole JPEG, byte for byte")
    func setsThumbnail() async throws {
        try await YouTubeHarness.run(fixture: "vertical.mp4") { h in
            let report = try await Self.orchestrator(h).post(try Self.request(h))
            let result = try #require(report.results.first)
            #expect(result.status == .published)
            #expect(result.cover?.state == .set)
            #expect(result.cover?.detail == "the image cover.jpg")
            let video = try await h.onlyVideo()
            let thumbnail = try #require(await h.fake.thumbnails()[video.id])
            #expect(thumbnail.format == "jpeg")
            #expect(thumbnail.width == 720 && thumbnail.height == 1280)
            #expect(thumbnail.sha256 == (try await Self.coverSHA()))
            #expect(await h.fake.stats().violations.isEmpty)
        }
    }

    @Test(
        "an unverified channel: 403 explained in words, the video stays published, `atom status` sets the cover alone")
    func unverifiedChannelThenStatus() async throws {
        try await YouTubeHarness.run(fixture: "vertical.mp4") { h in
            await h.fake.forbidCustomThumbnails()
            let orchestrator = Self.orchestrator(h)
            let report = try await orchestrator.post(try Self.request(h))
            let result = try #require(report.results.first)
            #expect(result.status == .published)
            #expect(result.error == nil)
            let cover = try #require(result.cover)
            #expect(cover.state == .notSet)
            #expect(cover.retryable)
            #expect(cover.reason?.contains("only verified channels may set one") == true)
            #expect(cover.reason?.contains("https://www.youtube.com/verify") == true)
            #expect(result.note?.contains("cover not set") == true)
            #expect(result.note?.contains("atom status \(result.id ?? "?")") == true)
            let entry = try #require(try orchestrator.records.read().entries.first)
            #expect(entry.status == .published)
            #expect(entry.cover?.state == .notSet)
            #expect(await h.fake.thumbnails().isEmpty)

            // The owner verifies the channel; `atom status <id>` sets the cover without uploading the video again.
            await h.fake.forbidCustomThumbnails(false)
            let retried = try await orchestrator.resume(
                [(entry, try h.publisher())], file: nil, waitLimit: .seconds(60))
            let again = try #require(retried.results.first)
            #expect(again.status == .published)
            #expect(again.cover?.state == .set)
            #expect(again.postId == result.postId)
            #expect(await h.fake.videos().count == 1)
            #expect(await h.fake.sessions().count == 1)
            let video = try await h.onlyVideo()
            #expect(await h.fake.thumbnails()[video.id]?.sha256 == (try await Self.coverSHA()))
            #expect(try orchestrator.records.read().entries.first?.cover?.state == .set)
            // Nothing left to retry: a further `atom status` only reports.
            let settled = try await orchestrator.resume(
                [(try #require(try orchestrator.records.read().entries.first), try h.publisher())], file: nil,
                waitLimit: .seconds(60))
            #expect(settled.results.first?.status == .published)
            #expect(await h.fake.stats().violations.isEmpty)
        }
    }

    @Test("a thumbnail the fake refuses (not the JPEG it claims) is reported as not set, never as a failed post")
    func refusedThumbnailKeepsPost() async throws {
        try await YouTubeHarness.run(fixture: "vertical.mp4") { h in
            let path = h.directory + "/fake.jpg"
            var bytes = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("cover.jpg")))
            bytes.removeLast(2)  // no EOI: not a whole JPEG
            try bytes.write(to: URL(fileURLWithPath: path))
            let draft = PostDraft(caption: "Sunrise", cover: CoverChoice(imagePath: path))
            let request = PostRequest(
                videoPath: Fixtures.path("vertical.mp4"),
                targets: [PostTarget(publisher: try h.publisher(), draft: draft)])
            let result = try #require(try await Self.orchestrator(h).post(request).results.first)
            #expect(result.status == .published)
            #expect(result.cover?.state == .notSet)
            #expect(await h.fake.thumbnails().isEmpty)
        }
    }
}
