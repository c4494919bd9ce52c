import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Sends HTTP requests: the seam between atom's adapters and the network is swift-openapi-runtime's
/// `ClientTransport`. The request's path (with its query) is appended to `baseURL`, whose own path may carry
/// a prefix (`http://127.0.0.1:8080/tiktok`). Bodies are `HTTPBody` streams; a body with `.single` iteration
/// behaviour must never be resent.
///
/// This is the name atom's adapters have always used; it is the runtime's protocol itself, so any
/// `ClientTransport` (atom's own over AsyncHTTPClient, swift-openapi-urlsession's, a test double) plugs in.
///
/// ## Implementing a custom transport
/// A test double that answers every request with 200:
/// ```swift
/// struct AlwaysOK: ClientTransport {
///     func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String)
///         async throws -> (HTTPResponse, HTTPBody?) { (HTTPResponse(status: .ok), nil) }
/// }
/// ```
public typealias HTTPTransport = ClientTransport

/// Intercepts requests on their way to a transport (auth headers, user agent, logging, error mapping): the
/// runtime's `ClientMiddleware`, under the name atom's adapters use.
public typealias HTTPMiddleware = ClientMiddleware

/// A transport wrapped in middlewares, outermost first.
public struct MiddlewareTransport: ClientTransport {
    public let transport: any ClientTransport
    public let middlewares: [any ClientMiddleware]

    /// Wraps `transport` so every request passes through `middlewares` in order.
    public init(_ transport: any ClientTransport, middlewares: [any ClientMiddleware]) {
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
