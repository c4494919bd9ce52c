import AsyncHTTPClient
import Foundation
import NIOCore
import OpenAPIRuntime
import PublishingCore

/// Which `ClientTransport` carries atom's requests (`ATOM_HTTP_TRANSPORT`).
public enum TransportChoice: String, Sendable, CaseIterable, CustomStringConvertible {
    /// atom's transport over AsyncHTTPClient (SwiftNIO): streams request bodies, a file's straight from the file.
    case asyncHTTPClient = "async-http-client"
    /// swift-openapi-urlsession over Foundation's URLSession (libcurl on Linux), from the AtomURLSession library
    /// atom loads only then (``URLSessionLibrary``): every body is held in memory.
    case urlSession = "urlsession"

    public var description: String { rawValue }

    /// Reads a setting's value: empty or missing is the default (AsyncHTTPClient).
    /// - Throws: A `configuration` ``PublishError`` naming the accepted values.
    public init(setting value: String?) throws {
        let text = (value ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        switch text {
        case "", "async-http-client", "asynchttpclient", "ahc": self = .asyncHTTPClient
        case "urlsession", "url-session", "libcurl", "curl": self = .urlSession
        default:
            throw PublishError(
                .configuration, message: "ATOM_HTTP_TRANSPORT must be async-http-client or urlsession, not '\(value ?? "")'",
                remediation: "fix it in the .env file or the environment")
        }
    }
}

/// Timeouts and limits shared by both transports.
public struct TransportConfiguration: Sendable {
    /// Time allowed to establish a connection (AsyncHTTPClient; URLSession has no separate connect timeout).
    public var connectTimeout: Duration
    /// Time allowed between bytes of a response (an idle read).
    public var readTimeout: Duration
    /// The whole-request deadline: long, so that an upload of gigabytes is never cut short by it.
    public var requestTimeout: Duration
    /// The largest request body URLSession is given (it is held in memory).
    public var maximumBufferedBody: Int64

    public init(
        connectTimeout: Duration = .seconds(5), readTimeout: Duration = .seconds(120), requestTimeout: Duration = .seconds(6 * 3600),
        maximumBufferedBody: Int64 = 256 << 20
    ) {
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.requestTimeout = requestTimeout
        self.maximumBufferedBody = maximumBufferedBody
    }
}

/// Builds atom's production transports: the chosen `ClientTransport` behind the middlewares that give both the
/// same shape (request framing, errors mapped to ``TransportError`` naming the host).
public enum AtomTransport {
    /// Makes an `HTTPClient` configured for atom: timeouts, no redirects, no decompression. The caller owns it
    /// and shuts it down.
    public static func makeClient(configuration: TransportConfiguration = TransportConfiguration()) -> HTTPClient {
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

    /// The transport for `choice`. `client` carries AsyncHTTPClient's requests; URLSession gets a session of its own
    /// in the library `urlSession` gives, asked for only when `choice` is ``TransportChoice/urlSession``.
    /// - Throws: What `urlSession` throws (the library is missing: a `configuration` ``PublishError``).
    public static func make(
        _ choice: TransportChoice, client: HTTPClient, configuration: TransportConfiguration = TransportConfiguration(),
        urlSession: () throws -> URLSessionLibrary = { try URLSessionLibrary.load() }
    ) throws -> any ClientTransport {
        switch choice {
        case .asyncHTTPClient:
            return make(client: client, configuration: configuration)
        case .urlSession:
            let base = URLSessionLibraryTransport(library: try urlSession(), configuration: configuration)
            let middlewares: [any ClientMiddleware] = [
                TransportErrorMiddleware(), RequestFramingMiddleware(), BufferedBodyLimitMiddleware(maximum: configuration.maximumBufferedBody),
            ]
            return MiddlewareTransport(base, middlewares: middlewares)
        }
    }

    /// The default transport: ``NIOClientTransport`` over `client`.
    public static func make(client: HTTPClient, configuration: TransportConfiguration = TransportConfiguration()) -> any ClientTransport {
        // The transport's `timeout` is a whole-request deadline (`HTTPClient.execute(_:timeout:)`): set to the long
        // request timeout, so only the connect and idle-read timeouts of `client` cut a request short.
        let base = NIOClientTransport(
            client: client, timeout: .nanoseconds(configuration.requestTimeout.nanoseconds), pacingInterval: BodyPacingMiddleware.defaultInterval)
        return MiddlewareTransport(
            base, middlewares: [TransportErrorMiddleware(), RequestFramingMiddleware(), BodyPacingMiddleware(group: client.eventLoopGroup)])
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    var timeInterval: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
