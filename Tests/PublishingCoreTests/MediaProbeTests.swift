import AtomTestSupport
import Foundation
import MediaInspection
import PublishingCore
import Testing

@Suite("MediaProbe")
struct MediaProbeTests {
    struct Expectation: Sendable, CustomTestStringConvertible {
        var file: String
        var container: String
        var width: Int
        var height: Int
        var duration: Double
        var fps: Double?
        var video: String
        var audio: String?
        var moovAtStart: Bool
        var rotation: Int
        var testDescription: String { file }
    }

    @Test("reads every fixture's properties from box headers", arguments: [
        Expectation(file: "vertical.mp4", container: "mp4", width: 1080, height: 1920, duration: 4, fps: 30, video: "h264", audio: "aac", moovAtStart: true, rotation: 0),
        Expectation(file: "landscape.mp4", container: "mp4", width: 1920, height: 1080, duration: 5, fps: 25, video: "h264", audio: "aac", moovAtStart: true, rotation: 0),
        Expectation(file: "hevc.mp4", container: "mp4", width: 720, height: 1280, duration: 3, fps: 30, video: "hevc", audio: "aac", moovAtStart: true, rotation: 0),
        Expectation(file: "moov-at-end.mp4", container: "mp4", width: 540, height: 960, duration: 3, fps: 24, video: "h264", audio: "aac", moovAtStart: false, rotation: 0),
        Expectation(file: "rotated.mp4", container: "mp4", width: 720, height: 1280, duration: 3, fps: 30, video: "h264", audio: "aac", moovAtStart: true, rotation: 270),
        Expectation(file: "silent.mov", container: "mov", width: 1080, height: 1920, duration: 2, fps: 30, video: "h264", audio: nil, moovAtStart: false, rotation: 0),
    ])
    func fixtures(_ e: Expectation) async throws {
        let info = try await MediaProbe.probe(path: Fixtures.path(e.file))
        #expect(info.container == e.container)
        #expect(info.width == e.width)
        #expect(info.height == e.height)
        #expect(abs(info.duration - e.duration) < 0.1)
        if let fps = e.fps { #expect(abs((info.frameRate ?? 0) - fps) < 0.05) }
        #expect(info.videoCodec == e.video)
        #expect(info.audioCodec == e.audio)
        #expect(info.moovAtStart == e.moovAtStart)
        #expect(info.rotation == e.rotation)
        let size = try FileManager.default.attributesOfItem(atPath: Fixtures.path(e.file))[.size] as? Int64
        #expect(info.sizeBytes == size)
    }

    @Test("refuses a file that is not a video")
    func notAVideo() async throws {
        let error = await #expect(throws: PublishError.self) { try await MediaProbe.probe(path: Fixtures.path("not-a-video.mp4")) }
        #expect(error?.code == .unsupportedMedia)
        #expect(error?.message.contains("not an MP4/MOV video") == true)
    }

    @Test("refuses a truncated file, saying so")
    func truncated() async throws {
        let error = await #expect(throws: PublishError.self) { try await MediaProbe.probe(path: Fixtures.path("truncated.mp4")) }
        #expect(error?.message.contains("truncated") == true)
    }

    @Test("refuses a missing file")
    func missing() async throws {
        let error = await #expect(throws: PublishError.self) { try await MediaProbe.probe(path: "/nonexistent/clip.mp4") }
        #expect(error?.code == .invalidInput)
    }

    @Test("handles a 5 GiB file (64-bit mdat size) by reading headers only")
    func largeSparse() async throws {
        try await TemporaryDirectory.with { dir in
            let path = dir + "/big.mp4"
            try SparseVideo.make(from: Fixtures.path("vertical.mp4"), to: path, size: 5 << 30)
            let info = try await MediaProbe.probe(path: path)
            #expect(info.sizeBytes == 5 << 30)
            #expect(info.width == 1080 && info.height == 1920)
            #expect(info.videoCodec == "h264")
        }
    }
}
