import Foundation
import HTTPTypes
import OpenAPIRuntime
import PublishingCore

/// Gives every transport the same request shape: a base URL without trailing slashes and a path that starts
/// with `/` (or `?`), so `base + path` is what the adapter meant; `Content-Length: 0` on a POST, PUT or PATCH
/// without a body (some platforms answer 411 otherwise).
struct RequestFramingMiddleware: ClientMiddleware {
    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        let path = request.path ?? ""
        if !path.isEmpty, !path.hasPrefix("/"), !path.hasPrefix("?") { request.path = "/" + path }
        if body == nil, [.post, .put, .patch].contains(request.method), request.headerFields[.contentLength] == nil {
            request.headerFields[.contentLength] = "0"
        }
        return try await next(request, body, URL(string: base) ?? baseURL)
    }
}

/// Refuses a request body larger than `maximum` before a transport that buffers bodies (URLSession) would read it
/// all into memory.
struct BufferedBodyLimitMiddleware: ClientMiddleware {
    let maximum: Int64

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        if let body, case .known(let count) = body.length, count > maximum {
            throw Self.refusal(count: count, maximum: maximum, operationID: operationID)
        }
        return try await next(request, body, baseURL)
    }

    /// The error for a body over `maximum` (`count`, when known).
    static func refusal(count: Int64?, maximum: Int64, operationID: String) -> PublishError {
        let size = count.map { "is \(ByteFormat.string($0))" } ?? "is larger"
        return PublishError(
            .configuration, operationID: operationID,
            message: "ATOM_HTTP_TRANSPORT=urlsession holds each request body in memory, and this one \(size) (over \(ByteFormat.string(maximum)))",
            remediation: "unset ATOM_HTTP_TRANSPORT to use the default transport, which streams uploads")
    }
}
