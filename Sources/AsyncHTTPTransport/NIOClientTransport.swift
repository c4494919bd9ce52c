import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOPosix
import OpenAPIRuntime
import PublishingCore

/// atom's `ClientTransport` over AsyncHTTPClient.
///
/// It converts requests and responses as swift-openapi-async-http-client does, with one difference: a body made by
/// ``FileRegion/body(onChunk:)`` (``FileRegion/source(of:)`` answers for it) is read from the file straight into
/// NIO's buffers (``FileBuffers``) instead of going through `HTTPBody`'s chunks, which costs a copy of every byte
/// and several task hops per chunk. Any other body is streamed chunk by chunk.
struct NIOClientTransport: ClientTransport {
    let client: HTTPClient
    /// The whole-request deadline.
    let timeout: TimeAmount
    /// Bytes a file body hands over between two waits for the client's event loops (see ``FileBuffers``).
    let pacingInterval: Int
    /// The client's event loops, which file bodies wait for.
    let loops: [any EventLoop]

    init(client: HTTPClient, timeout: TimeAmount, pacingInterval: Int) {
        self.client = client
        self.timeout = timeout
        self.pacingInterval = pacingInterval
        loops = Array(client.eventLoopGroup.makeIterator())
    }

    func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (HTTPResponse, HTTPBody?) {
        let clientRequest = try convert(request, body: body, baseURL: baseURL)
        let response = try await client.execute(clientRequest, timeout: timeout)
        return Self.convert(response, method: request.method)
    }

    func convert(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL) throws -> HTTPClientRequest {
        guard var components = URLComponents(string: baseURL.absoluteString), let target = URLComponents(string: request.path ?? "") else {
            throw Self.badURL(request, baseURL)
        }
        components.percentEncodedPath += target.percentEncodedPath
        components.percentEncodedQuery = target.percentEncodedQuery
        guard let url = components.url else { throw Self.badURL(request, baseURL) }
        var converted = HTTPClientRequest(url: url.absoluteString)
        converted.method = HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headerFields { converted.headers.add(name: field.name.canonicalName, value: field.value) }
        guard let body else { return converted }
        let length: HTTPClientRequest.Body.Length
        switch body.length {
        case .unknown: length = .unknown
        case .known(let count): length = .known(count)
        }
        if let source = FileRegion.source(of: body) {
            let buffers = FileBuffers(source: source, loops: loops, interval: pacingInterval)
            converted.body = .stream(buffers, length: length)
        } else {
            converted.body = .stream(body.map { ByteBuffer(bytes: $0) }, length: length)
        }
        return converted
    }

    static func badURL(_ request: HTTPRequest, _ baseURL: URL) -> PublishError {
        PublishError(
            .configuration, message: "cannot make a URL of \(baseURL.absoluteString) and \(request.path ?? "")",
            remediation: "check the endpoint override in the .env file")
    }

    static func convert(_ response: HTTPClientResponse, method: HTTPRequest.Method) -> (HTTPResponse, HTTPBody?) {
        var fields = HTTPFields()
        for header in response.headers {
            if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
        }
        let length: HTTPBody.Length = fields[.contentLength].flatMap { Int64($0) }.map { .known($0) } ?? .unknown
        let body: HTTPBody?
        switch method {
        case .head, .connect, .trace: body = nil
        default: body = HTTPBody(response.body.map { $0.readableBytesView }, length: length, iterationBehavior: .single)
        }
        return (HTTPResponse(status: .init(code: Int(response.status.code)), headerFields: fields), body)
    }
}

/// A file region as NIO buffers (after the source's prefix, before its suffix): each chunk is read (`pread`, on NIO's
/// blocking-I/O pool) straight into the buffer the connection writes, so no byte is copied in user space on its way
/// from the page cache to the socket.
///
/// AsyncHTTPClient asks for the next chunk as soon as it has handed one to its event loop, and waits only once the
/// socket is full; with the loops short of CPU (four uploads at once on a busy machine) chunks would pile up in their
/// task queues. So the reads are paced to the client's loops (``LoopPacing``), as ``BodyPacingMiddleware`` paces other
/// bodies.
struct FileBuffers: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let source: FileBodySource
    let loops: [any EventLoop]
    let interval: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        let source: FileBodySource
        var pacing: LoopPacing
        var offset: Int64
        /// This pass's copy of the source's framing, until its end is sent.
        var framing: (any ChunkFraming)?
        var prefixSent = false
        var suffixSent = false

        mutating func next() async throws -> ByteBuffer? {
            if !prefixSent {
                prefixSent = true
                if !source.prefix.isEmpty { return ByteBuffer(bytes: source.prefix) }
            }
            let region = source.region
            guard offset < region.range.upperBound else {
                if var ending = framing.take() {
                    let end = ending.end()
                    if !end.isEmpty { return ByteBuffer(bytes: end) }
                }
                if suffixSent || source.suffix.isEmpty { return nil }
                suffixSent = true
                return ByteBuffer(bytes: source.suffix)
            }
            try Task.checkCancellation()
            try await pacing.waitIfDue()
            let count = Int(Swift.min(Int64(region.chunkSize), region.range.upperBound - offset))
            let (file, at, framing) = (region.file, offset, self.framing)
            let (buffer, fed) = try await NIOThreadPool.singleton.runIfActive { try Self.read(file, offset: at, count: count, framing: framing) }
            self.framing = fed
            offset += Int64(count)
            pacing.handedOver(count)
            source.onChunk?(count)
            return buffer
        }

        /// The chunk of `count` bytes at `offset`, inside the framing's head and tail when there is one (all in one
        /// buffer), and the framing once it has taken the chunk in (while its bytes are still in the cache).
        static func read(
            _ file: MediaFileHandle, offset: Int64, count: Int, framing: (any ChunkFraming)?
        ) throws -> (ByteBuffer, (any ChunkFraming)?) {
            var framing = framing
            let head = framing?.head(count: count) ?? []
            var buffer = ByteBufferAllocator().buffer(capacity: head.count + count + (framing?.tailLength ?? 0))
            buffer.writeBytes(head)
            var tail: [UInt8] = []
            try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { raw in
                let chunk = UnsafeMutableRawBufferPointer(rebasing: raw[0..<count])
                try file.readExactly(into: chunk, offset: offset)
                tail = framing?.tail(after: UnsafeRawBufferPointer(chunk)) ?? []
                return count
            }
            buffer.writeBytes(tail)
            return (buffer, framing)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(
            source: source, pacing: LoopPacing(loops: loops, interval: interval), offset: source.region.range.lowerBound, framing: source.framing)
    }
}
