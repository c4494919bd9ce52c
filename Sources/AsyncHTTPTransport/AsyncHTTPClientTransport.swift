import AsyncHTTPClient
import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import OpenAPIRuntime
import PublishingCore

/// The production ``HTTPTransport``: AsyncHTTPClient, streaming request bodies chunk by chunk (memory is
/// bounded by one chunk in flight), with connect and read timeouts and no automatic redirects.
public struct AsyncHTTPClientTransport: HTTPTransport {
    /// Timeouts and limits.
    public struct Configuration: Sendable {
        /// Time allowed to establish a connection.
        public var connectTimeout: Duration
        /// Time allowed between bytes of a response (an idle read).
        public var readTimeout: Duration
        /// The whole-request deadline (uploads of gigabytes need a long one).
        public var requestTimeout: Duration

        public init(connectTimeout: Duration = .seconds(5), readTimeout: Duration = .seconds(120), requestTimeout: Duration = .seconds(6 * 3600)) {
            self.connectTimeout = connectTimeout
            self.readTimeout = readTimeout
            self.requestTimeout = requestTimeout
        }
    }

    private let client: HTTPClient
    private let configuration: Configuration

    /// Uses `client` (owned by the caller, who shuts it down).
    public init(client: HTTPClient, configuration: Configuration = Configuration()) {
        self.client = client
        self.configuration = configuration
    }

    /// Makes an `HTTPClient` configured for atom: timeouts, no redirects, no decompression.
    public static func makeClient(configuration: Configuration = Configuration()) -> HTTPClient {
        var config = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .nanoseconds(configuration.connectTimeout.nanoseconds), read: .nanoseconds(configuration.readTimeout.nanoseconds)),
            decompression: .disabled
        )
        config.httpVersion = .automatic
        // A connection that cannot be made fails at once, so atom's own RetryPolicy retries it with a visible
        // "retrying <host> (n/m)" line. AsyncHTTPClient's default would silently retry establishment with backoff
        // until the connect timeout passed (async-http-client, Sources/AsyncHTTPClient/HTTPClient.swift,
        // `ConnectionPool.retryConnectionEstablishment`): 15 s of silence per attempt against a dead host.
        config.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
    }

    public func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (HTTPResponse, HTTPBody?) {
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        let path = request.path ?? ""
        var outgoing = HTTPClientRequest(url: base + (path.isEmpty || path.hasPrefix("/") || path.hasPrefix("?") ? path : "/" + path))
        outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headerFields {
            outgoing.headers.add(name: field.name.canonicalName, value: field.value)
        }
        if let body {
            let length: HTTPClientRequest.Body.Length
            switch body.length {
            case .known(let count): length = .known(count)
            case .unknown: length = .unknown
            }
            outgoing.body = .stream(body.map { ByteBuffer(bytes: $0) }, length: length)
        } else if request.method == .post || request.method == .put || request.method == .patch {
            outgoing.headers.replaceOrAdd(name: "Content-Length", value: "0")
        }
        let response: HTTPClientResponse
        do {
            response = try await client.execute(outgoing, deadline: .now() + .nanoseconds(configuration.requestTimeout.nanoseconds))
        } catch {
            throw Self.map(error, operationID: operationID, host: baseURL.host())
        }
        var fields = HTTPFields()
        for header in response.headers {
            guard let name = HTTPField.Name(header.name) else { continue }
            fields.append(HTTPField(name: name, value: header.value))
        }
        let converted = HTTPResponse(status: .init(code: Int(response.status.code), reasonPhrase: response.status.reasonPhrase), headerFields: fields)
        let responseLength: HTTPBody.Length = response.headers.first(name: "content-length").flatMap(Int64.init).map { .known($0) } ?? .unknown
        let stream = response.body.map { ArraySlice<UInt8>($0.readableBytesView) }
        let responseBody = HTTPBody(MappedErrors(base: stream, operationID: operationID), length: responseLength, iterationBehavior: .single)
        return (converted, responseBody)
    }

    /// Maps AsyncHTTPClient's and NIO's errors to a ``TransportError`` in plain words naming the host
    /// ("cannot connect to api.example.com: connection refused"), not `connection reset (error set): …`.
    static func map(_ error: any Error, operationID: String, host: String? = nil) -> any Error {
        if error is CancellationError || Task.isCancelled { return CancellationError() }
        if let error = error as? PublishError { return error }
        let target = host.map { " to \($0)" } ?? ""
        if let error = error as? HTTPClientError {
            if error == .cancelled { return CancellationError() }
            if error == .connectTimeout {
                return TransportError(message: "cannot connect\(target): no answer within the connect timeout (ATOM_CONNECT_TIMEOUT)", operationID: operationID, isTimeout: true)
            }
            let timeout = error == .readTimeout || error == .deadlineExceeded || error == .writeTimeout
            if timeout { return TransportError(message: "the connection\(target) timed out (\(error))", operationID: operationID, isTimeout: true) }
            return TransportError(message: "the connection\(target) failed: \(error)", operationID: operationID)
        }
        let text = String(describing: error)
        let lowered = text.lowercased()
        for (needle, words) in [
            ("connection refused", "connection refused (nothing listens there, or a firewall says no)"),
            ("errno: 111", "connection refused (nothing listens there, or a firewall says no)"),
            ("network is unreachable", "network unreachable (are you offline?)"),
            ("no route to host", "no route to the host (are you offline?)"),
            ("connection reset", "the connection was reset"),
            ("name resolution", "the host name does not resolve (check the address, or DNS)"),
            ("getaddrinfo", "the host name does not resolve (check the address, or DNS)"),
        ] where lowered.contains(needle) {
            return TransportError(message: "cannot connect\(target): \(words)", operationID: operationID)
        }
        return TransportError(message: "the connection\(target) failed: \(text)", operationID: operationID)
    }
}

/// Maps the response stream's errors to ``TransportError``.
struct MappedErrors<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ArraySlice<UInt8> {
    typealias Element = ArraySlice<UInt8>
    let base: Base
    let operationID: String

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let operationID: String
        mutating func next() async throws -> ArraySlice<UInt8>? {
            do { return try await base.next() } catch { throw AsyncHTTPClientTransport.map(error, operationID: operationID) }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), operationID: operationID) }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
