import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Sends HTTP requests: the seam between atom's adapters and the network.
///
/// It has the shape of swift-openapi-runtime's `ClientTransport`: the request's path (with its query)
/// is appended to `baseURL`, whose own path may carry a prefix (`http://127.0.0.1:8080/tiktok`).
/// Bodies are `HTTPBody` streams; a body with `.single` iteration behaviour must never be resent.
///
/// ## Implementing a custom transport
/// A test double that answers every request with 200:
/// ```swift
/// struct AlwaysOK: HTTPTransport {
///     func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String)
///         async throws -> (HTTPResponse, HTTPBody?) { (HTTPResponse(status: .ok), nil) }
/// }
/// ```
public protocol HTTPTransport: Sendable {
    /// Sends one request and returns the response with its (streamed) body.
    /// - Parameters:
    ///   - request: Method, path (appended to `baseURL`) and header fields.
    ///   - body: The request body, if any; with a known length it is sent with `Content-Length`.
    ///   - baseURL: The server's base URL.
    ///   - operationID: A dotted name for logs and errors, e.g. `youtube.upload.chunk`.
    /// - Returns: The response head and body.
    /// - Throws: ``TransportError`` when the connection fails, drops or times out.
    func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (
        HTTPResponse, HTTPBody?
    )
}

/// Intercepts requests on their way to a transport: auth headers, user agent, logging.
public protocol HTTPMiddleware: Sendable {
    /// Intercepts one request; call `next` to pass it on.
    func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        baseURL: URL,
        operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?)
}

/// A transport wrapped in middlewares, outermost first.
public struct MiddlewareTransport: HTTPTransport {
    public let transport: any HTTPTransport
    public let middlewares: [any HTTPMiddleware]

    /// Wraps `transport` so every request passes through `middlewares` in order.
    public init(_ transport: any HTTPTransport, middlewares: [any HTTPMiddleware]) {
        self.transport = transport
        self.middlewares = middlewares
    }

    public func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (
        HTTPResponse, HTTPBody?
    ) {
        var next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?) = {
            [transport] request, body, baseURL in
            try await transport.send(request, body: body, baseURL: baseURL, operationID: operationID)
        }
        for middleware in middlewares.reversed() {
            let inner = next
            next = { request, body, baseURL in
                try await middleware.intercept(request, body: body, baseURL: baseURL, operationID: operationID, next: inner)
            }
        }
        return try await next(request, body, baseURL)
    }
}

/// A failure below HTTP: connect, TLS, dropped connection, timeout. Always worth a retry.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, already free of secrets.
    public var message: String
    /// The operation that failed.
    public var operationID: String
    /// Whether this was a timeout rather than a refused or dropped connection.
    public var isTimeout: Bool

    /// Creates a transport error; `message` is redacted.
    public init(message: String, operationID: String, isTimeout: Bool = false) {
        self.message = Redaction.redact(message)
        self.operationID = operationID
        self.isTimeout = isTimeout
    }

    public var description: String { "\(operationID): \(message)" }
}

extension HTTPRequest {
    /// A request for an absolute URL (for URLs a platform hands back: upload URLs, session URIs,
    /// presigned URLs). Pair it with ``URL/origin`` as the base URL.
    public init(method: Method, absoluteURL url: URL, headerFields: HTTPFields = [:]) {
        var path = url.path(percentEncoded: true)
        if path.isEmpty { path = "/" }
        if let query = url.query(percentEncoded: true) { path += "?" + query }
        self.init(method: method, scheme: nil, authority: nil, path: path, headerFields: headerFields)
    }

    /// A request for `path` under a base URL, with query items encoded by RFC 3986.
    public init(method: Method, path: String, query: [(String, String)] = [], headerFields: HTTPFields = [:]) {
        var full = path
        if !query.isEmpty { full += "?" + FormEncoding.encode(query) }
        self.init(method: method, scheme: nil, authority: nil, path: full, headerFields: headerFields)
    }
}

extension URL {
    /// The scheme, host and port of this URL: the base URL for an ``HTTPRequest/init(method:absoluteURL:headerFields:)``.
    public var origin: URL {
        var components = URLComponents()
        components.scheme = scheme
        components.host = host(percentEncoded: false)
        components.port = port
        return components.url ?? self
    }
}

/// `application/x-www-form-urlencoded` and query-string encoding (RFC 3986 unreserved kept).
public enum FormEncoding {
    private static let unreserved: CharacterSet = {
        var set = CharacterSet()
        set.insert(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return set
    }()

    /// Percent-encodes everything but RFC 3986's unreserved characters.
    public static func escape(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }

    /// Encodes pairs as `a=1&b=2`, in the order given.
    public static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    /// Decodes `a=1&b=2` (also `+` as space) into pairs.
    public static func decode(_ text: String) -> [(String, String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { part in
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func unescape(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
            }
            return (unescape(pieces[0]), pieces.count > 1 ? unescape(pieces[1]) : "")
        }
    }
}
