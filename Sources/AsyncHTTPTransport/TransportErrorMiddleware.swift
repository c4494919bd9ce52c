import AsyncHTTPClient
import Foundation
import HTTPTypes
import OpenAPIRuntime
import PublishingCore

/// Maps what a transport throws (AsyncHTTPClient's, NIO's and URLSession's errors), for the request and while
/// its response body streams, to a ``TransportError`` in plain words naming the host ("cannot connect to
/// api.example.com: connection refused"), not `connection reset (error set): …`.
public struct TransportErrorMiddleware: ClientMiddleware {
    public init() {}

    public func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let host = baseURL.host()
        let response: HTTPResponse
        let responseBody: HTTPBody?
        do {
            (response, responseBody) = try await next(request, body, baseURL)
        } catch {
            throw Self.map(error, operationID: operationID, host: host)
        }
        guard let responseBody else { return (response, nil) }
        let mapped = HTTPBody(
            MappedErrors(base: responseBody, operationID: operationID, host: host), length: responseBody.length,
            iterationBehavior: responseBody.iterationBehavior)
        return (response, mapped)
    }

    /// Maps one error; errors that already speak atom's language (``PublishError``, ``TransportError``,
    /// cancellation) pass through.
    public static func map(_ error: any Error, operationID: String, host: String? = nil) -> any Error {
        if error is CancellationError || Task.isCancelled { return CancellationError() }
        if error is PublishError || error is TransportError { return error }
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
        if let error = error as? URLSessionLibraryError, let mapped = map(error, target: target, operationID: operationID) { return mapped }
        let text = String(describing: error)
        let lowered = text.lowercased()
        for (needle, words) in phrases where lowered.contains(needle) {
            return TransportError(message: "cannot connect\(target): \(words)", operationID: operationID)
        }
        return TransportError(message: "the connection\(target) failed: \(text)", operationID: operationID)
    }

    private static let refused = "connection refused (nothing listens there, or a firewall says no)"
    private static let offline = "network unreachable (are you offline?)"
    private static let unresolved = "the host name does not resolve (check the address, or DNS)"
    private static let phrases = [
        ("connection refused", refused), ("errno: 111", refused), ("network is unreachable", offline),
        ("no route to host", "no route to the host (are you offline?)"), ("connection reset", "the connection was reset"),
        ("name resolution", unresolved), ("getaddrinfo", unresolved),
    ]

    /// URLSession's errors, as the AtomURLSession library names their `URLError` codes.
    private static func map(_ error: URLSessionLibraryError, target: String, operationID: String) -> (any Error)? {
        switch error.kind {
        case "cancelled": return CancellationError()
        case "timedOut":
            return TransportError(message: "the connection\(target) timed out (URLSession)", operationID: operationID, isTimeout: true)
        case "cannotConnectToHost": return TransportError(message: "cannot connect\(target): \(refused)", operationID: operationID)
        case "notConnectedToInternet": return TransportError(message: "cannot connect\(target): \(offline)", operationID: operationID)
        case "cannotFindHost": return TransportError(message: "cannot connect\(target): \(unresolved)", operationID: operationID)
        case "networkConnectionLost": return TransportError(message: "cannot connect\(target): the connection was reset", operationID: operationID)
        default: return nil
        }
    }
}

/// Maps a response stream's errors to ``TransportError``.
struct MappedErrors<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ArraySlice<UInt8> {
    typealias Element = ArraySlice<UInt8>
    let base: Base
    let operationID: String
    let host: String?

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let operationID: String
        let host: String?
        mutating func next() async throws -> ArraySlice<UInt8>? {
            do { return try await base.next() } catch { throw TransportErrorMiddleware.map(error, operationID: operationID, host: host) }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), operationID: operationID, host: host) }
}
