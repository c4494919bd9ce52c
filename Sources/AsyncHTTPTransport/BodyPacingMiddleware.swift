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
        let loops: [any EventLoop]
        let interval: Int
        var pulled = 0

        mutating func next() async throws -> ArraySlice<UInt8>? {
            if pulled >= interval {
                for loop in loops where !loop.inEventLoop { try await loop.submit {}.get() }
                pulled = 0
            }
            let chunk = try await base.next()
            pulled += chunk?.count ?? 0
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), loops: loops, interval: interval)
    }
}
