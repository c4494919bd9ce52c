import AtomSandbox
import AtomTestSupport
import Foundation
import InstagramAdapter
import PlatformKit
import PublishingCore
import PublishingEngine
import Testing

/// A stager serving each staged file from the loopback file server under its own name, and counting deletions.
struct NamedLoopbackStager: MediaStager {
    let base: URL
    let staged = LockedBox<[String]>([])
    let released = LockedBox<[String]>([])
    func stage(_ file: MediaFileHandle, sha256: String, contentType: String, context: StagingContext) async throws
        -> StagedObject
    {
        let name = (file.path as NSString).lastPathComponent
        staged.withLock { $0.append("\(name) \(contentType)") }
        return StagedObject(location: "loopback", key: name, size: file.size)
    }
    func url(for object: StagedObject, validFor duration: Duration) async throws -> URL {
        base.appending(path: object.key)
    }
    func release(_ object: StagedObject) async throws { released.withLock { $0.append(object.key) } }
}

@Suite("Instagram covers: cover_url from the staged image, thumb_offset from a frame")
struct InstagramCoverTests {
    static func post(_ h: InstagramHarness, cover: CoverChoice, stager: NamedLoopbackStager, dir: String) async throws
        -> PlatformResult
    {
        let orchestrator = Orchestrator(
            stager: stager, records: RecordStore(directory: dir), clock: h.clock, jitter: FixedJitter(1))
        let request = PostRequest(
            videoPath: Fixtures.path("vertical.mp4"),
            targets: [PostTarget(publisher: try h.publisher(), draft: PostDraft(caption: "Sunrise", cover: cover))])
        return try #require(try await orchestrator.post(request).results.first)
    }

    @Test("--cover with --cover-at: the image is staged like the video, sent as cover_url, fetched, then deleted")
    func stagedImageCover() async throws {
        let fake = InstagramFake()
        try await InstagramHarness.run(fake) { h in
            try await TemporaryDirectory.with { dir in
                let stager = NamedLoopbackStager(base: h.server.baseURL(for: "/files"))
                let result = try await Self.post(
                    h, cover: CoverChoice(imagePath: Fixtures.path("cover.jpg"), frameAt: 1.5), stager: stager, dir: dir
                )
                #expect(result.status == .published)
                #expect(result.cover?.state == .set)
                #expect(result.cover?.detail == "the image cover.jpg")
                let container = try #require(await fake.allContainers.first)
                #expect(container.fields["cover_url"]?.hasSuffix("/files/cover.jpg") == true)
                #expect(container.fields["thumb_offset"] == nil)
                #expect(container.cover?.format == "jpeg")
                #expect(
                    container.cover?.sha256
                        == (try await FileDigest.sha256(of: MediaFileHandle(path: Fixtures.path("cover.jpg")))))
                #expect(Set(stager.staged.value) == ["vertical.mp4 video/mp4", "cover.jpg image/jpeg"])
                #expect(Set(stager.released.value) == ["vertical.mp4", "cover.jpg"])
            }
        }
    }

    @Test("--cover-at alone: thumb_offset in milliseconds, nothing extra staged")
    func frameCover() async throws {
        let fake = InstagramFake()
        try await InstagramHarness.run(fake) { h in
            try await TemporaryDirectory.with { dir in
                let stager = NamedLoopbackStager(base: h.server.baseURL(for: "/files"))
                let result = try await Self.post(h, cover: CoverChoice(frameAt: 1.5), stager: stager, dir: dir)
                #expect(result.status == .published)
                #expect(result.cover == .set(.frame(seconds: 1.5)))
                let container = try #require(await fake.allContainers.first)
                #expect(container.fields["thumb_offset"] == "1500")
                #expect(container.fields["cover_url"] == nil)
                #expect(stager.staged.value == ["vertical.mp4 video/mp4"])
            }
        }
    }

    @Test("a PNG cover is refused before anything moves: Instagram takes JPEG covers only")
    func pngRefused() async throws {
        let fake = InstagramFake()
        try await InstagramHarness.run(fake) { h in
            try await TemporaryDirectory.with { dir in
                var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
                bytes += Array("IHDR".utf8) + [0, 0, 2, 0xD0, 0, 0, 5, 0, 8, 2, 0, 0, 0, 0, 0, 0, 0]
                try Data(bytes).write(to: URL(fileURLWithPath: dir + "/cover.png"))
                let stager = NamedLoopbackStager(base: h.server.baseURL(for: "/files"))
                let failure = try await #require(throws: ValidationFailure.self) {
                    try await Self.post(h, cover: CoverChoice(imagePath: dir + "/cover.png"), stager: stager, dir: dir)
                }
                #expect(failure.issues.map(\.message) == ["Instagram takes JPEG covers, not PNG"])
                #expect(stager.staged.value.isEmpty)
                #expect(await fake.allContainers.isEmpty)
            }
        }
    }
}
