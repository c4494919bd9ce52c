@testable import AsyncHTTPTransport
import AtomSandbox
import AtomTestSupport
import Crypto
import Foundation
import HTTPTypes
import NIOCore
import NIOPosix
import OpenAPIRuntime
import PlatformKit
import PublishingCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Counts what it receives.
private struct CountingSink: FakeService {
    let mountPath = "/sink"
    func handle(_ request: FakeRequest) async throws -> FakeResponse? {
        var digest = ReceivedDigest()
        try await request.body.consume { digest.update($0) }
        return .json(200, .object(["sha256": .string(digest.hex), "count": .number(Double(digest.count))]))
    }
}

/// `base`'s chunks, as another body would pass them on.
private struct Rewrapped: AsyncSequence, Sendable {
    typealias Element = ArraySlice<UInt8>
    let base: HTTPBody
    func makeAsyncIterator() -> HTTPBody.AsyncIterator { base.makeAsyncIterator() }
}

/// A framing for tests: `<count>[` before each chunk, `]` and the running CRC-32C after it, `end` and the count of
/// chunks (4 digits) after the last.
private struct BracketFraming: ChunkFraming {
    var crc = CRC32C()
    var chunks = 0

    var tailLength: Int { 9 }
    var endLength: Int { 7 }

    func head(count: Int) -> [UInt8] { Array("\(count)[".utf8) }

    mutating func tail(after chunk: UnsafeRawBufferPointer) -> [UInt8] {
        crc.update(chunk)
        chunks += 1
        return Array("]".utf8) + Array(String(crc.value, radix: 16).leftPadded(to: 8).utf8)
    }

    mutating func end() -> [UInt8] { Array(("end" + String(chunks).leftPadded(to: 4)).utf8) }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

@Suite("File bodies: the default transport reads a file region's body straight from the file")
struct FileBodyTests {
    @Test("a region's body names its region; a body of bytes or one wrapping it names none")
    func sourceOfABody() async throws {
        try await TemporaryDirectory.with { dir in
            try TemporaryDirectory.writeRandomFile(at: dir + "/clip.mp4", size: 1000)
            let file = try MediaFileHandle(path: dir + "/clip.mp4")
            let body = file.chunks(in: 10..<900, chunkSize: 64).body()
            let source = try #require(FileRegion.source(of: body))
            #expect(source.region.range == 10..<900 && source.region.chunkSize == 64 && source.region.file === file)
            #expect(FileRegion.source(of: HTTPBody([1, 2, 3])) == nil)
            #expect(FileRegion.source(of: HTTPBody(Rewrapped(base: body), length: body.length, iterationBehavior: .multiple)) == nil)
        }
    }

    @Test("once a region's body is gone, nothing keeps its file open")
    func registryHoldsNoFile() async throws {
        try await TemporaryDirectory.with { dir in
            try TemporaryDirectory.writeRandomFile(at: dir + "/clip.mp4", size: 1000)
            weak var released: MediaFileHandle?
            do {
                let file = try MediaFileHandle(path: dir + "/clip.mp4")
                released = file
                let body = file.chunks(in: 0..<file.size).body { _ in }
                #expect(FileRegion.source(of: body) != nil)
            }
            #expect(released == nil)
        }
    }

    @Test("the pacing middleware hands a region's body on as itself, so the transport can read the file")
    func pacingPassesFileBodies() async throws {
        try await TemporaryDirectory.with { dir in
            try TemporaryDirectory.writeRandomFile(at: dir + "/clip.mp4", size: 1000)
            let file = try MediaFileHandle(path: dir + "/clip.mp4")
            let body = file.chunks(in: 0..<file.size).body()
            let handed = LockedBox<HTTPBody?>(nil)
            _ = try await BodyPacingMiddleware(group: MultiThreadedEventLoopGroup.singleton).intercept(
                HTTPRequest(method: .put, scheme: "http", authority: "127.0.0.1", path: "/upload"), body: body,
                baseURL: URL(string: "http://127.0.0.1")!, operationID: "upload"
            ) { _, body, _ in
                handed.withLock { $0 = body }
                return (HTTPResponse(status: .ok), nil)
            }
            #expect(try #require(handed.value) === body)
        }
    }

    @Test("after `interval` bytes, the next chunk is read only once the loop has run what was queued before it", .timeLimit(.minutes(1)))
    func fileChunksWaitForTheLoop() async throws {
        try await TemporaryDirectory.with { dir in
            try TemporaryDirectory.writeRandomFile(at: dir + "/clip.mp4", size: 3000)
            let file = try MediaFileHandle(path: dir + "/clip.mp4")
            let source = try #require(FileRegion.source(of: file.chunks(in: 0..<file.size, chunkSize: 1000).body()))
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            var chunks = FileBuffers(source: source, loops: [group.next()], interval: 1000).makeAsyncIterator()
            #expect(try await chunks.next()?.readableBytes == 1000)
            // The loop is busy for 300 ms: the next chunk must not be read before that.
            let released = keepBusy(group.next(), milliseconds: 300)
            #expect(try await chunks.next()?.readableBytes == 1000)
            #expect(released.value == true)
            #expect(try await chunks.next()?.readableBytes == 1000)
            #expect(try await chunks.next() == nil)
            try await group.shutdownGracefully()
        }
    }

    @Test("read from the file or chunk by chunk, with or without a form around it, the server gets the same bytes and progress counts every one")
    func bothPathsByteExact() async throws {
        try await TemporaryDirectory.with { dir in
            let path = dir + "/clip.mp4"
            try TemporaryDirectory.writeRandomFile(at: path, size: 5 * (1 << 20) + 4321)
            let file = try MediaFileHandle(path: path)
            let region = file.chunks(in: 777..<file.size - 99, chunkSize: 1 << 20)
            let expected = try await FileDigest.sha256(of: file, in: region.range)
            var framedDigest = SHA256()
            framedDigest.update(data: Array("head".utf8))
            for try await chunk in region { framedDigest.update(data: chunk) }
            framedDigest.update(data: Array("tail".utf8))
            let expectedFramed = FileDigest.hex(framedDigest.finalize())
            try await FakeServer.run(services: [CountingSink()]) { server in
                try await TestTransport.with(.asyncHTTPClient) { transport in
                    for (rewrap, framed) in [(false, false), (true, false), (false, true), (true, true)] {
                        let sent = LockedBox<Int64>(0)
                        let counter: @Sendable (Int) -> Void = { n in sent.withLock { $0 += Int64(n) } }
                        let direct = framed ? region.body(prefix: Array("head".utf8), suffix: Array("tail".utf8), onChunk: counter)
                            : region.body(onChunk: counter)
                        let body = rewrap ? HTTPBody(Rewrapped(base: direct), length: direct.length, iterationBehavior: .multiple) : direct
                        let (response, answer) = try await transport.send(
                            HTTPRequest(method: .put, path: "/up"), body: body, baseURL: server.baseURL(for: "/sink"), operationID: "test.put")
                        #expect(response.status == .ok)
                        let json = try JSONDecoder().decode([String: JSONValue].self, from: Data(try await HTTPBodies.collect(answer)))
                        #expect(json["sha256"]?.stringValue == (framed ? expectedFramed : expected), "rewrapped: \(rewrap), framed: \(framed)")
                        #expect(json["count"]?.numberValue == Double(region.count + (framed ? 8 : 0)))
                        #expect(sent.value == region.count)
                    }
                }
            }
        }
    }

    @Test("a file that shrinks while it is sent fails the request with a plain reason, never sending it short", .timeLimit(.minutes(1)))
    func shrinkingFileFails() async throws {
        try await TemporaryDirectory.with { dir in
            let path = dir + "/clip.mp4"
            try TemporaryDirectory.writeRandomFile(at: path, size: 4 << 20)
            let file = try MediaFileHandle(path: path)
            try await FakeServer.run(services: [CountingSink()]) { server in
                try await TestTransport.with(.asyncHTTPClient) { transport in
                    // Cut the file to 1 MiB once the first chunk has been read.
                    let body = file.chunks(in: 0..<file.size, chunkSize: 512 << 10).body { _ in _ = truncate(path, 1 << 20) }
                    let error = await #expect(throws: (any Error).self) {
                        _ = try await transport.send(
                            HTTPRequest(method: .put, path: "/up"), body: body, baseURL: server.baseURL(for: "/sink"), operationID: "test.put")
                    }
                    #expect("\(error.map { "\($0)" } ?? "")".contains("changed while it was being read"))
                }
            }
        }
    }

    @Test("a framing around each chunk: read from the file or chunk by chunk, the bytes are the same and as long as the body says; each pass starts afresh")
    func framingBothPaths() async throws {
        try await TemporaryDirectory.with { dir in
            let path = dir + "/clip.mp4"
            try TemporaryDirectory.writeRandomFile(at: path, size: 3 * (1 << 20) + 777)
            let file = try MediaFileHandle(path: path)
            let region = file.chunks(in: 100..<file.size, chunkSize: 1 << 20)
            // The expected bytes, built by hand: prefix, every chunk framed, the end, suffix.
            var expected: [UInt8] = Array("P".utf8)
            var running = CRC32C()
            var chunks = 0
            for try await chunk in region {
                running.update(chunk)
                chunks += 1
                expected += Array("\(chunk.count)[".utf8) + chunk + Array("]".utf8) + Array(String(running.value, radix: 16).leftPadded(to: 8).utf8)
            }
            expected += Array(("end" + String(chunks).leftPadded(to: 4)).utf8) + Array("S".utf8)
            let expectedSHA = FileDigest.hex(SHA256.hash(data: expected))
            let expectedCount = Int64(expected.count)
            try await FakeServer.run(services: [CountingSink()]) { server in
                try await TestTransport.with(.asyncHTTPClient) { transport in
                    let direct = region.body(prefix: Array("P".utf8), suffix: Array("S".utf8), framing: BracketFraming())
                    #expect(direct.length == .known(expectedCount))
                    for rewrap in [false, true, false] {
                        let body = rewrap ? HTTPBody(Rewrapped(base: direct), length: direct.length, iterationBehavior: .multiple) : direct
                        let (response, answer) = try await transport.send(
                            HTTPRequest(method: .put, path: "/up"), body: body, baseURL: server.baseURL(for: "/sink"), operationID: "test.put")
                        #expect(response.status == .ok)
                        let json = try JSONDecoder().decode([String: JSONValue].self, from: Data(try await HTTPBodies.collect(answer)))
                        #expect(json["sha256"]?.stringValue == expectedSHA, "rewrapped: \(rewrap)")
                        #expect(json["count"]?.numberValue == Double(expectedCount))
                    }
                }
            }
        }
    }
}
