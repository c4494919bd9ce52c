import AtomSandbox
import AtomTestSupport
import Foundation
import PlatformKit
import PublishingCore
import Testing

@testable import FacebookAdapter

@Suite("Facebook covers: the video's preferred thumbnail through /{video-id}/thumbnails")
struct FacebookCoverTests {
    static func coverJob(_ fixture: String, image path: String = Fixtures.path("cover.jpg")) async throws -> PublishJob
    {
        var job = try await makeJob(fixture, draft: PostDraft(caption: "Sunrise", cover: CoverChoice(imagePath: path)))
        job.cover = .image(try await CoverImage.probe(path: path))
        return job
    }

    @Test(
        "a Reel and a Page video each get the image as their preferred thumbnail, byte for byte",
        arguments: [
            ("vertical.mp4", "reel"), ("landscape.mp4", "video"),
        ])
    func thumbnailForBothFormats(fixture: String, format: String) async throws {
        let job = try await Self.coverJob(fixture)
        let sha = try await FileDigest.sha256(of: MediaFileHandle(path: Fixtures.path("cover.jpg")))
        try await withFacebookFake { fake, _, publisher in
            let receipt = try await publisher.publish(job, context: Recorder().context())
            let id = try #require(receipt.postID)
            #expect(fake.video(id)?.thumbnail == nil)
            let outcome = try await publisher.applyCover(job, postID: id, context: Recorder().context())
            #expect(outcome.state == .set)
            let video = try #require(fake.video(id))
            #expect(video.format == format)
            #expect(video.thumbnail?.format == "jpeg")
            #expect(video.thumbnail?.sha256 == sha)
            #expect(fake.requests.contains { $0.method == "POST" && $0.path.hasSuffix("/\(id)/thumbnails") })
        }
    }

    @Test("an image the fake finds is not a whole JPEG is refused with Graph's code 100, named for Facebook")
    func brokenImageRefused() async throws {
        try await TemporaryDirectory.with { dir in
            var bytes = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("cover.jpg")))
            bytes.removeLast(2)
            try bytes.write(to: URL(fileURLWithPath: dir + "/cut.jpg"))
            let job = try await Self.coverJob("vertical.mp4", image: dir + "/cut.jpg")
            try await withFacebookFake { fake, _, publisher in
                let receipt = try await publisher.publish(job, context: Recorder().context())
                let id = try #require(receipt.postID)
                let error = try await #require(throws: PublishError.self) {
                    try await publisher.applyCover(job, postID: id, context: Recorder().context())
                }
                #expect(error.platform == .facebook)
                #expect(error.platformCode == "100")
                #expect(error.message.contains("Invalid image"))
                #expect(fake.video(id)?.thumbnail == nil)
            }
        }
    }

    @Test("Facebook declares what it takes: JPEG or PNG up to 10 MB, uploaded after the video, no frame")
    func declaredSupport() async throws {
        try await withFacebookFake { _, _, publisher in
            let cover = publisher.capabilities.cover
            let limit: Int64? = 10_485_760
            #expect(cover.image?.maxBytes == limit)
            #expect(cover.image?.formats == [.jpeg, .png])
            #expect(cover.imageDelivery == .afterPublish)
            #expect(cover.frame == false)
        }
    }
}
