import Foundation
import HTTPTypes
import NIOCore
import OpenAPIRuntime

/// Keeps a streamed request body from running ahead of AsyncHTTPClient's event loops.
///
/// AsyncHTTPClient hands each body chunk to the connection's event loop and asks for the next one at once; it only
/// waits once that loop has written a chunk and found the socket full (`Transaction.writeRequestBodyPart` waits only
/// when the stream is paused). When the loops are starved of CPU (four uploads at once on a busy machine), chunks
/// pile up in their task queues: a 512 MiB Facebook push alone peaked at 85–110 MiB that way. So before it pulls
/// each chunk after the first, the paced body waits for one empty task on every loop of the client's group: every
/// write queued before it has run by then, and with it the pause, so at most about one chunk per stream waits in memory.
struct BodyPacingMiddleware: ClientMiddleware {
    /// The event loops the client's connections run on.
    let loops: [any EventLoop]

    init(group: any EventLoopGroup) {
        loops = Array(group.makeIterator())
    }

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard let body else { return try await next(request, nil, baseURL) }
        let paced = HTTPBody(PacedChunks(base: body, loops: loops), length: body.length, iterationBehavior: body.iterationBehavior)
        return try await next(request, paced, baseURL)
    }
}

/// `base`'s chunks, each after the first pulled only once every loop in `loops` has run what was queued before.
struct PacedChunks: AsyncSequence, Sendable {
    typealias Element = ArraySlice<UInt8>
    let base: HTTPBody
    let loops: [any EventLoop]

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: HTTPBody.AsyncIterator
        let loops: [any EventLoop]
        var started = false

        mutating func next() async throws -> ArraySlice<UInt8>? {
            if started {
                for loop in loops where !loop.inEventLoop { try await loop.submit {}.get() }
            }
            started = true
            return try await base.next()
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), loops: loops) }
}
