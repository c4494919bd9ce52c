import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import PublishingCore

/// One loopback fake of a platform API (or of S3), mounted under a path prefix of a ``FakeServer``.
public protocol FakeService: Sendable {
    /// The prefix the service answers under, e.g. `/tiktok`; the prefix is stripped from ``FakeRequest/path``.
    var mountPath: String { get }
    /// Answers one request, or returns `nil` (without reading the body) when the request is not this
    /// service's, so another service mounted at the same prefix can answer it.
    func handle(_ request: FakeRequest) async throws -> FakeResponse?

    /// The settings (`.env` lines) that point atom at this fake, given the server it runs on:
    /// base-URL overrides and sandbox credentials. Used by `atom sandbox` and `atom post --sandbox`.
    func sandboxEnvironment(server: FakeServer) -> [String: String]
}

extension FakeService {
    public func sandboxEnvironment(server: FakeServer) -> [String: String] { [:] }
}

/// A real HTTP/1.1 server on 127.0.0.1 that routes requests to fakes by path prefix. Request bodies
/// stream to the handler chunk by chunk with backpressure, so fakes can check gigabytes without holding them.
public final class FakeServer: Sendable {
    /// The bound port.
    public let port: Int
    /// The host it listens on.
    public let host: String

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `http://127.0.0.1:PORT`.
    public var rootURL: URL { URL(string: "http://\(host):\(port)")! }

    /// The base URL of a mounted service.
    public func baseURL(for mountPath: String) -> URL { URL(string: "http://\(host):\(port)\(mountPath)")! }

    /// Starts a server with `services`, runs `body`, then stops the server.
    /// - Parameters:
    ///   - port: 0 picks a free port.
    ///   - log: Receives one line per request (method, path without query, status).
    ///   - idleTimeout: A connection that neither sends nor receives a byte for this long is closed, so half-open
    ///     or abandoned connections do not pile up while the sandbox runs for hours.
    public static func run<T: Sendable>(
        services: [any FakeService], host: String = "127.0.0.1", port: Int = 0,
        log: (@Sendable (String) -> Void)? = nil, idleTimeout: TimeAmount = .seconds(120),
        _ body: @Sendable (FakeServer) async throws -> T
    ) async throws -> T {
        let router = Router(services: services, log: log)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .bind(host: host, port: port) { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandlers(IdleStateHandler(allTimeout: idleTimeout), IdleCloser())
                    try child.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: child)
                }
            }
        let bound = channel.channel.localAddress?.port ?? port
        let server = FakeServer(host: host, port: bound)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try? await withThrowingDiscardingTaskGroup { connections in
                    try await channel.executeThenClose { inbound in
                        for try await connection in inbound {
                            connections.addTask { await router.serve(connection, server: server) }
                        }
                    }
                }
                return nil
            }
            let result = try await body(server)
            group.cancelAll()
            try? await channel.channel.close()
            return result
        }
    }
}

/// The response a fake gives.
public struct FakeResponse: Sendable {
    public enum Body: Sendable {
        case bytes([UInt8])
        /// Byte ranges of several files on disk, streamed one after another in bounded chunks (for content
        /// stored in pieces, such as a multipart object).
        case files([FileSlice])

        /// A byte range of one file on disk, streamed.
        public static func file(path: String, range: Range<Int64>) -> Body { .files([FileSlice(path: path, range: range)]) }
    }

    /// A byte range of a file on disk: one piece of a ``Body/files(_:)`` body.
    public struct FileSlice: Sendable, Equatable {
        /// The file.
        public var path: String
        /// The bytes of it to send.
        public var range: Range<Int64>

        /// A slice of `range` of the file at `path`.
        public init(path: String, range: Range<Int64>) {
            self.path = path
            self.range = range
        }
    }

    public var status: Int
    public var headers: [(String, String)]
    public var body: Body
    /// Close the connection without answering (a dropped connection).
    public var drop: Bool

    public init(status: Int, headers: [(String, String)] = [], body: Body = .bytes([]), drop: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.drop = drop
    }

    /// Closes the connection without a response.
    public static let dropConnection = FakeResponse(status: 0, drop: true)

    /// A JSON response.
    public static func json(_ status: Int = 200, _ value: JSONValue, headers: [(String, String)] = []) -> FakeResponse {
        let data = (try? JSONEncoder.atom.encode(value)) ?? Data("{}".utf8)
        return FakeResponse(status: status, headers: [("Content-Type", "application/json; charset=UTF-8")] + headers, body: .bytes(Array(data)))
    }

    /// A JSON response from an `Encodable`.
    public static func json(_ status: Int = 200, encoding value: some Encodable, headers: [(String, String)] = []) -> FakeResponse {
        let data = (try? JSONEncoder.atom.encode(value)) ?? Data("{}".utf8)
        return FakeResponse(status: status, headers: [("Content-Type", "application/json; charset=UTF-8")] + headers, body: .bytes(Array(data)))
    }

    /// A text response.
    public static func text(_ status: Int, _ text: String, contentType: String = "text/plain; charset=utf-8", headers: [(String, String)] = []) -> FakeResponse {
        FakeResponse(status: status, headers: [("Content-Type", contentType)] + headers, body: .bytes(Array(text.utf8)))
    }
}

/// A request as a fake sees it.
public struct FakeRequest: Sendable {
    public let method: String
    /// The path after the mount prefix, without the query (percent-decoded).
    public let path: String
    /// The raw path after the mount prefix, still percent-encoded.
    public let rawPath: String
    /// The raw query string (without `?`), or empty.
    public let rawQuery: String
    /// Query pairs in order.
    public let queryItems: [(String, String)]
    /// Header fields in order.
    public let headers: [(String, String)]
    /// The streamed body.
    public let body: FakeRequestBody
    /// `http://127.0.0.1:PORT` + the mount prefix: the base to build absolute URLs a fake hands out.
    public let baseURL: String
    /// The full original path (with prefix) and query, as sent.
    public let uri: String

    /// The first query value for `name`.
    public func query(_ name: String) -> String? { queryItems.first { $0.0 == name }?.1 }

    /// The first header value for `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    /// The bearer token from `Authorization: Bearer …`, if any.
    public var bearerToken: String? {
        guard let value = header("Authorization") else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1])
    }

    /// The request body's declared length.
    public var contentLength: Int64? { header("Content-Length").flatMap { Int64($0) } }

    /// Form fields of an `application/x-www-form-urlencoded` body (reads the body, up to 1 MiB).
    public func formFields() async throws -> [(String, String)] {
        FormEncoding.decode(String(decoding: try await body.collect(upTo: 1 << 20), as: UTF8.self))
    }

    /// The body decoded as JSON (up to 1 MiB).
    public func jsonBody() async throws -> JSONValue {
        let bytes = try await body.collect(upTo: 1 << 20)
        return try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }
}

/// Closes a connection when ``IdleStateHandler`` reports it idle.
private final class IdleCloser: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
