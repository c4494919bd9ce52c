import AtomTestSupport
import Foundation
import MediaInspection
import PublishingCore
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opening the video: the type comes from `fstat` of the opened descriptor, and the open never blocks.
@Suite("MediaFileHandle opening", .timeLimit(.minutes(1)))
struct MediaFileHandleTests {
    @Test("a symbolic link to a regular file opens as that file, and probes like it")
    func symlinkToRegularFile() async throws {
        try await TemporaryDirectory.with { dir in
            let video = Fixtures.path("vertical.mp4")
            let link = dir + "/link.mp4"
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: video)
            let direct = try MediaFileHandle(path: video)
            let linked = try MediaFileHandle(path: link)
            #expect(linked.size == direct.size)
            #expect(try await FileDigest.sha256(of: linked) == FileDigest.sha256(of: direct))
            #expect(try await MediaProbe.probe(path: link).width == 1080)
        }
    }

    @Test("a FIFO with no writer is refused at once, not waited on")
    func fifoRefused() async throws {
        try await TemporaryDirectory.with { dir in
            let fifo = dir + "/pipe.mp4"
            #expect(mkfifo(fifo, 0o600) == 0)
            // A blocking open of a FIFO with no writer would never return; the suite's time limit catches that.
            try expectNotRegular(fifo)
            let link = dir + "/pipe-link.mp4"
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: fifo)
            try expectNotRegular(link)
        }
    }

    @Test("a directory and a character device are refused")
    func directoryAndDevice() async throws {
        try await TemporaryDirectory.with { dir in
            try expectNotRegular(dir)
            try expectNotRegular("/dev/null")
        }
    }

    @Test("a missing file says it cannot be opened")
    func missing() async throws {
        try await TemporaryDirectory.with { dir in
            let error = #expect(throws: PublishError.self) { try MediaFileHandle(path: dir + "/absent.mp4") }
            #expect(error?.code == .invalidInput)
            #expect(error?.message.contains("cannot open") == true)
        }
    }

    private func expectNotRegular(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let error = #expect(throws: PublishError.self, sourceLocation: sourceLocation) {
            try MediaFileHandle(path: path)
        }
        #expect(error?.code == .invalidInput, sourceLocation: sourceLocation)
        #expect(error?.message == "\(path) is not a regular file", sourceLocation: sourceLocation)
    }
}
