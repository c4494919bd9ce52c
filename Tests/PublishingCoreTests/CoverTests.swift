import AtomTestSupport
import Foundation
import PublishingCore
import Testing

@Suite("Covers: probing images from their bytes and deciding what each platform gets")
struct CoverTests {
    static let video = MediaInfo(
        container: "mp4", brand: "isom", sizeBytes: 1000, duration: 4, width: 1080, height: 1920, rotation: 0,
        frameRate: 30, videoCodec: "h264", audioCodec: "aac", audioSampleRate: 48000, moovAtStart: true,
        hasEditList: false)

    /// A sparse file of `size` bytes that starts with the fixture JPEG's headers (a huge "JPEG").
    static func bigJPEG(at path: String, size: UInt64) throws {
        let head = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("cover.jpg"))).prefix(1024)
        try head.write(to: URL(fileURLWithPath: path))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: size)
        try handle.close()
    }

    @Test("the fixture JPEG: format, pixel size and byte size read from the file")
    func probesFixtureJPEG() async throws {
        let image = try await CoverImage.probe(path: Fixtures.path("cover.jpg"))
        #expect(image.format == .jpeg)
        #expect(image.width == 720 && image.height == 1280)
        let size = try FileManager.default.attributesOfItem(atPath: Fixtures.path("cover.jpg"))[.size] as? Int
        #expect(image.sizeBytes == Int64(size ?? -1))
    }

    @Test("a PNG is told from its signature and IHDR, whatever its name")
    func probesPNG() async throws {
        try await TemporaryDirectory.with { dir in
            var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
            bytes += Array("IHDR".utf8) + [0, 0, 5, 0, 0, 0, 2, 0xD0, 8, 2, 0, 0, 0, 0, 0, 0, 0]
            try Data(bytes).write(to: URL(fileURLWithPath: dir + "/cover.jpg"))
            let image = try await CoverImage.probe(path: dir + "/cover.jpg")
            #expect(image.format == .png)
            #expect(image.width == 1280 && image.height == 720)
        }
    }

    @Test("a text file, an empty file, a truncated JPEG and a missing file are refused with the reason")
    func refusesNonImages() async throws {
        try await TemporaryDirectory.with { dir in
            let jpeg = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("cover.jpg")))
            try jpeg.prefix(40).write(to: URL(fileURLWithPath: dir + "/cut.jpg"))
            try Data().write(to: URL(fileURLWithPath: dir + "/empty.jpg"))
            let cases: [(String, String)] = [
                (Fixtures.path("not-a-video.mp4"), "not a JPEG or PNG"), (dir + "/empty.jpg", "is empty"),
                (dir + "/cut.jpg", "truncated JPEG"), (dir + "/missing.jpg", "cannot open"),
            ]
            for (path, reason) in cases {
                let error = try #require(throws: PublishError.self) { try CoverImage.probeSync(path: path) }
                #expect(error.code == .invalidInput)
                #expect(error.message.contains(reason), "\(path): \(error.message)")
            }
        }
    }

    @Test("each kind of platform gets what its API takes; the rest is said, not silently dropped")
    func decidesPerPlatform() throws {
        let image = CoverImage(path: "/x/cover.jpg", format: .jpeg, width: 720, height: 1280, sizeBytes: 50_000)
        let both = CoverChoice(imagePath: image.path, frameAt: 1.5)
        let limits = CoverImageLimits(formats: [.jpeg, .png], maxBytes: 2 << 20)
        let frameOnly = CoverSupport(image: nil, frame: true, prefersFrame: true)
        let afterUpload = CoverSupport(image: limits, imageDelivery: .afterPublish, frame: false)
        let staged = CoverSupport(image: limits, imageDelivery: .stagedURL, frame: true)

        let tiktokLike = frameOnly.plan(both, image: image, media: Self.video, displayName: "Frames")
        #expect(tiktokLike.use == .frame(seconds: 1.5))
        #expect(tiktokLike.unsupported == ["Frames's API takes no cover image"])
        #expect(tiktokLike.notes.contains { $0.contains("takes no cover image; using the frame at 1.5 s") })

        let youtubeLike = afterUpload.plan(both, image: image, media: Self.video, displayName: "After")
        #expect(youtubeLike.use == .image(image))
        #expect(youtubeLike.issues.isEmpty)
        let frameAlone = afterUpload.plan(CoverChoice(frameAt: 1), image: nil, media: Self.video, displayName: "After")
        #expect(frameAlone.use == nil)
        #expect(frameAlone.notes.contains { $0.contains("cannot pick a frame; After picks its own cover") })

        #expect(staged.plan(both, image: image, media: Self.video, displayName: "S").use == .image(image))
        #expect(CoverSupport.none.plan(both, image: image, media: Self.video, displayName: "N").use == nil)
    }

    @Test(
        "an image over a platform's limits, in a format it lacks, too narrow, or a frame outside the video: all listed"
    )
    func listsEveryProblem() throws {
        let png = CoverImage(path: "/x/big.png", format: .png, width: 320, height: 180, sizeBytes: 25 << 20)
        let support = CoverSupport(
            image: CoverImageLimits(formats: [.jpeg], maxBytes: 8 << 20, minWidth: 640), imageDelivery: .stagedURL,
            frame: true)
        let plan = support.plan(CoverChoice(imagePath: png.path), image: png, media: Self.video, displayName: "P")
        let messages = plan.issues.map(\.message)
        #expect(messages.count == 3, "\(messages)")
        #expect(messages.contains { $0.contains("P takes JPEG covers, not PNG") })
        #expect(messages.contains { $0.contains("25.0 MiB is over P's 8.0 MiB cover limit") })
        #expect(messages.contains { $0.contains("320 px wide is below the 640 px minimum") })
        let late = support.plan(CoverChoice(frameAt: 9), image: nil, media: Self.video, displayName: "P")
        #expect(late.issues.map(\.field) == ["cover_at"])
    }

    @Test("a 25 MB file that starts like a JPEG is probed from its headers only, and refused by size")
    func bigFileProbedCheaply() async throws {
        try await TemporaryDirectory.with { dir in
            try Self.bigJPEG(at: dir + "/huge.jpg", size: 25 << 20)
            let image = try await CoverImage.probe(path: dir + "/huge.jpg")
            #expect(image.sizeBytes == 25 << 20)
            let youtubeLike = CoverSupport(
                image: CoverImageLimits(formats: [.jpeg, .png], maxBytes: 2 << 20), imageDelivery: .afterPublish,
                frame: false)
            let plan = youtubeLike.plan(
                CoverChoice(imagePath: image.path), image: image, media: Self.video, displayName: "Y")
            #expect(plan.issues.count == 1)
        }
    }

    @Test("an outcome reads as words: set (with what the API could not take), not set with the reason, unsupported")
    func outcomeWords() {
        var set = CoverOutcome.set(.frame(seconds: 1.5))
        set.reason = "X's API takes no cover image"
        #expect(set.description == "cover set: the frame at 1.5 s (X's API takes no cover image)")
        let image = CoverImage(path: "/a/b/cover.jpg", format: .jpeg, width: 1, height: 1, sizeBytes: 1)
        let failed = CoverOutcome.notSet(.image(image), reason: "HTTP 403", retryable: true)
        #expect(failed.description == "cover not set (the image cover.jpg): HTTP 403")
    }
}
