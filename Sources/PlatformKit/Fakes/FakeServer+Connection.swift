import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import PublishingCore

/// A request body read from the connection as the handler pulls it.
///
/// `@unchecked Sendable`: the box is created, read and drained by one connection task only; the
/// handler that reads it runs inside that task, so the iterator is never touched concurrently.
public final class FakeRequestBody: @unchecked Sendable {
    fileprivate var iterator: NIOAsyncChannelInboundStream<HTTPServerRequestPart>.AsyncIterator
    fileprivate var finished = false
    /// Bytes read so far.
    public private(set) var bytesRead: Int64 = 0

    fileprivate init(iterator: NIOAsyncChannelInboundStream<HTTPServerRequestPart>.AsyncIterator) {
        self.iterator = iterator
    }

    /// The next chunk, or `nil` at the end of the body.
    public func next() async throws -> ByteBuffer? {
        guard !finished else { return nil }
        while let part = try await iterator.next() {
            switch part {
            case .body(let buffer):
                bytesRead += Int64(buffer.readableBytes)
                return buffer
            case .end:
                finished = true
                return nil
            case .head:
                continue
            }
        }
        finished = true
        return nil
    }

    /// Reads the whole body, refusing more than `limit` bytes.
    public func collect(upTo limit: Int) async throws -> [UInt8] {
        var result: [UInt8] = []
        while let chunk = try await next() {
            guard result.count + chunk.readableBytes <= limit else { throw FakeBodyTooLarge() }
            result += chunk.readableBytesView
        }
        return result
    }

    /// Reads up to `limit` bytes (or all), feeding each chunk to `sink`. Returns the bytes read.
    @discardableResult
    public func consume(limit: Int64 = .max, _ sink: (ByteBuffer) throws -> Void) async throws -> Int64 {
        var total: Int64 = 0
        while total < limit, let chunk = try await next() {
            var chunk = chunk
            if total + Int64(chunk.readableBytes) > limit {
                chunk = chunk.getSlice(at: chunk.readerIndex, length: Int(limit - total)) ?? chunk
            }
            total += Int64(chunk.readableBytes)
            try sink(chunk)
        }
        return total
    }

    /// Drains what the handler left unread.
    fileprivate func drain() async throws {
        while try await next() != nil {}
    }
}

/// A request body over a fake's limit (answered 413).
public struct FakeBodyTooLarge: Error {
    public init() {}
}

struct Router: Sendable {
    let services: [any FakeService]
    let log: (@Sendable (String) -> Void)?

    /// The services whose mount prefix matches `path`, longest prefix first, with the path inside each.
    func services(for path: String) -> [(any FakeService, String)] {
        let sorted = services.enumerated().sorted { ($0.element.mountPath.count, -$0.offset) > ($1.element.mountPath.count, -$1.offset) }.map(\.element)
        var result: [(any FakeService, String)] = []
        for service in sorted {
            let mount = service.mountPath == "/" ? "" : service.mountPath
            if mount.isEmpty { result.append((service, path)) }
            else if path == mount { result.append((service, "/")) }
            else if path.hasPrefix(mount + "/") { result.append((service, String(path.dropFirst(mount.count)))) }
        }
        return result
    }

    func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, server: FakeServer) async {
        try? await connection.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            while let part = try await iterator.next() {
                guard case .head(let head) = part else { continue }
                // As S3 and Google's front ends do: a client that asks before sending its body (curl, the AWS CLI, for
                // any sizeable PUT) gets `100 Continue` at once, instead of waiting its timeout (1 s for both) first.
                if head.headers[canonicalForm: "expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                    try await outbound.write(.head(HTTPResponseHead(version: head.version, status: .continue)))
                }
                let body = FakeRequestBody(iterator: iterator)
                let (rawPath, rawQuery) = Self.split(head.uri)
                var answer: FakeResponse?
                for (service, inner) in services(for: rawPath) where answer == nil {
                    let mountPath = service.mountPath == "/" ? "" : service.mountPath
                    let request = FakeRequest(
                        method: head.method.rawValue, path: inner.removingPercentEncoding ?? inner, rawPath: inner, rawQuery: rawQuery,
                        queryItems: FormEncoding.decode(rawQuery), headers: head.headers.map { ($0.name, $0.value) },
                        body: body, baseURL: "http://\(server.host):\(server.port)\(mountPath)", uri: head.uri
                    )
                    do {
                        answer = try await service.handle(request)
                    } catch is FakeBodyTooLarge {
                        answer = .text(413, "body too large")
                    } catch {
                        answer = .text(500, "fake error: \(error)")
                    }
                }
                let response = answer ?? .text(404, "no fake service answers \(head.method.rawValue) \(rawPath)")
                log?("\(head.method.rawValue) \(rawPath) → \(response.drop ? "dropped" : String(response.status))")
                if response.drop {
                    return  // closing without an answer: the client sees a dropped connection
                }
                try await body.drain()
                iterator = body.iterator
                try await write(response, to: outbound, keepAlive: head.isKeepAlive, head: head)
                if !head.isKeepAlive { return }
            }
        }
    }

    private func write(_ response: FakeResponse, to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, keepAlive: Bool, head: HTTPRequestHead) async throws {
        var headers = HTTPHeaders(response.headers)
        let length: Int64
        switch response.body {
        case .bytes(let bytes): length = Int64(bytes.count)
        case .files(let slices): length = slices.reduce(0) { $0 + $1.range.upperBound - $1.range.lowerBound }
        }
        if !headers.contains(name: "Content-Length") { headers.add(name: "Content-Length", value: String(length)) }
        headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: response.status), headers: headers)))
        if head.method != .HEAD {
            switch response.body {
            case .bytes(let bytes):
                if !bytes.isEmpty { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes)))) }
            case .files(let slices):
                for slice in slices { try await stream(slice, to: outbound) }
            }
        }
        try await outbound.write(.end(nil))
    }

    /// Writes one file range as body parts of at most 1 MiB each.
    private func stream(_ slice: FakeResponse.FileSlice, to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        let file = try MediaFileHandle(path: slice.path)
        for try await chunk in file.chunks(in: slice.range, chunkSize: 1 << 20) {
            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: chunk))))
        }
    }

    static func split(_ uri: String) -> (String, String) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, "") }
        return (String(uri[..<mark]), String(uri[uri.index(after: mark)...]))
    }
}

/// Running SHA-256 and byte count of bytes a fake received, to check uploads byte-exact without keeping them.
public struct ReceivedDigest: Equatable {
    private var hasher = SHA256()
    public private(set) var count: Int64 = 0

    public init() {}

    public mutating func update(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        count += Int64(buffer.readableBytes)
    }

    /// The hex digest of everything so far.
    public var hex: String { FileDigest.hex(hasher.finalize()) }

    public static func == (lhs: ReceivedDigest, rhs: ReceivedDigest) -> Bool { lhs.count == rhs.count && lhs.hex == rhs.hex }
}
