@testable import AsyncHTTPTransport
import Foundation
import HTTPTypes
import NIOCore
import NIOPosix
import OpenAPIRuntime
import PublishingCore
import Testing

@Suite("Body pacing: a body waits for a busy event loop before its next chunk")
struct BodyPacingTests {
    /// The body `BodyPacingMiddleware` hands to the transport for `body`.
    private func paced(_ body: HTTPBody, group: any EventLoopGroup, interval: Int) async throws -> HTTPBody {
        let handed = LockedBox<HTTPBody?>(nil)
        _ = try await BodyPacingMiddleware(group: group, interval: interval).intercept(
            HTTPRequest(method: .put, scheme: "http", authority: "127.0.0.1", path: "/upload"), body: body,
            baseURL: URL(string: "http://127.0.0.1")!, operationID: "upload"
        ) { _, body, _ in
            handed.withLock { $0 = body }
            return (HTTPResponse(status: .ok), nil)
        }
        return try #require(handed.value)
    }

    @Test("after `interval` bytes, the next chunk is pulled only once the loop has run what was queued before it", .timeLimit(.minutes(1)))
    func waitsForTheLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let chunks: [ArraySlice<UInt8>] = [[1, 2, 3], [4, 5], [6]]
        let body = try await paced(HTTPBody(Chunks(chunks: chunks), length: .known(6), iterationBehavior: .multiple), group: group, interval: 3)
        #expect(body.length == .known(6))
        #expect(body.iterationBehavior == .multiple)

        var iterator = body.makeAsyncIterator()
        #expect(try await iterator.next() == [1, 2, 3])
        // The loop is busy (as a starved loop with writes queued would be) for 300 ms: the next chunk must not come
        // before that.
        let released = keepBusy(group.next(), milliseconds: 300)
        #expect(try await iterator.next() == [4, 5])
        #expect(released.value == true)
        // Two bytes since that wait, under the interval of three: the last chunk comes while the loop is busy again.
        let again = DispatchSemaphore(value: 0)
        group.next().execute { again.wait() }
        #expect(try await iterator.next() == [6])
        again.signal()
        #expect(try await iterator.next() == nil)
        // Re-iterable as the body it wraps: a retry sends the same bytes.
        #expect(try await ArraySlice(collecting: body, upTo: 100) == [1, 2, 3, 4, 5, 6])
        try await group.shutdownGracefully()
    }

    @Test("a request without a body passes through untouched")
    func noBody() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let seen = LockedBox<Bool?>(nil)
        _ = try await BodyPacingMiddleware(group: group).intercept(
            HTTPRequest(method: .get, scheme: "http", authority: "127.0.0.1", path: "/"), body: nil,
            baseURL: URL(string: "http://127.0.0.1")!, operationID: "get"
        ) { _, body, _ in
            seen.withLock { $0 = body == nil }
            return (HTTPResponse(status: .ok), nil)
        }
        #expect(seen.value == true)
        try await group.shutdownGracefully()
    }
}

/// Keeps `loop` busy, as a starved loop with writes queued would be, until another thread lets it go `milliseconds`
/// later; the flag returned turns true just before it does.
func keepBusy(_ loop: any EventLoop, milliseconds: Int) -> LockedBox<Bool> {
    let release = DispatchSemaphore(value: 0)
    let released = LockedBox(false)
    loop.execute { release.wait() }
    DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) {
        released.withLock { $0 = true }
        release.signal()
    }
    return released
}

/// Fixed chunks as a re-iterable async sequence.
private struct Chunks: AsyncSequence, Sendable {
    let chunks: [ArraySlice<UInt8>]

    struct AsyncIterator: AsyncIteratorProtocol {
        var rest: ArraySlice<ArraySlice<UInt8>>
        mutating func next() async -> ArraySlice<UInt8>? { rest.popFirst() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(rest: chunks[...]) }
}
