import Foundation
import HTTPTypes
import NIOCore
import OpenAPIRuntime
import PublishingCore

/// Keeps a streamed request body from running ahead of AsyncHTTPClient's event loops.
///
/// AsyncHTTPClient hands each body chunk to the connection's event loop and asks for the next one at once; it only
/// waits once that loop has written a chunk and found the socket full (`Transaction.writeRequestBodyPart` waits only
/// when the stream is paused). When the loops are starved of CPU (four uploads at once on a busy machine), chunks
/// pile up in their task queues: a 512 MiB Facebook push alone peaked at 85–110 MiB that way. So once a body has
/// handed over `interval` bytes since it last did so, it waits for one empty task on every loop of the client's group
/// before it pulls the next chunk: every write queued before that task has run by then, and with it the pause, so at
/// most about `interval` bytes and a chunk per stream wait in memory. Waiting before every chunk cost a quarter more
/// CPU when staging (four parts of 256 KiB chunks at once); every 1 MiB costs no measurable CPU.
struct BodyPacingMiddleware: ClientMiddleware {
    /// The event loops the client's connections run on.
    let loops: [any EventLoop]
    /// Bytes a body hands over between two waits.
    let interval: Int

    /// Every 1 MiB.
    static let defaultInterval = 1 << 20

    init(group: any EventLoopGroup, interval: Int = defaultInterval) {
        loops = Array(group.makeIterator())
        self.interval = interval
    }

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        // A file's body is paced as it is read (`FileBuffers`), and must reach the transport as itself to be read so.
        guard let body, FileRegion.source(of: body) == nil else { return try await next(request, body, baseURL) }
        let paced = HTTPBody(
            PacedChunks(base: body, loops: loops, interval: interval), length: body.length, iterationBehavior: body.iterationBehavior)
        return try await next(request, paced, baseURL)
    }
}

/// `base`'s chunks; once `interval` bytes have been pulled since the last wait, the next pull first waits until
/// every loop in `loops` has run what was queued before.
struct PacedChunks: AsyncSequence, Sendable {
    typealias Element = ArraySlice<UInt8>
    let base: HTTPBody
    let loops: [any EventLoop]
    let interval: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: HTTPBody.AsyncIterator
        var pacing: LoopPacing

        mutating func next() async throws -> ArraySlice<UInt8>? {
            try await pacing.waitIfDue()
            let chunk = try await base.next()
            pacing.handedOver(chunk?.count ?? 0)
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), pacing: LoopPacing(loops: loops, interval: interval))
    }
}

/// The wait every paced body makes (``PacedChunks``, ``FileBuffers``): once `interval` bytes have been handed over
/// since the last wait, the next chunk first waits for one empty task on every loop in `loops`, by when every write
/// queued before it has run.
struct LoopPacing: Sendable {
    let loops: [any EventLoop]
    let interval: Int
    private var sinceWait = 0

    init(loops: [any EventLoop], interval: Int) {
        self.loops = loops
        self.interval = interval
    }

    /// Waits for the loops if `interval` bytes have been handed over since the last wait.
    mutating func waitIfDue() async throws {
        guard sinceWait >= interval else { return }
        for loop in loops where !loop.inEventLoop { try await loop.submit {}.get() }
        sinceWait = 0
    }

    /// Counts `count` bytes handed over.
    mutating func handedOver(_ count: Int) { sinceWait += count }
}
