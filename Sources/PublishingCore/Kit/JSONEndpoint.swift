import Foundation
import HTTPTypes
import OpenAPIRuntime

/// One answer of a platform's JSON API, its body read (bounded).
public struct EndpointAnswer: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// The response's header fields.
    public var headers: HTTPFields
    /// The response body.
    public var bytes: [UInt8]

    /// Creates an answer.
    public init(status: Int, headers: HTTPFields, bytes: [UInt8]) {
        self.status = status
        self.headers = headers
        self.bytes = bytes
    }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }
}

/// A request body with its content type.
public struct RequestBody: Sendable {
    /// The `Content-Type` sent with the body.
    public var contentType: String
    /// The bytes (re-sendable when built here).
    public var body: HTTPBody

    /// Creates a body.
    public init(contentType: String, body: HTTPBody) {
        self.contentType = contentType
        self.body = body
    }

    /// `value` as JSON with snake_case keys.
    public static func json(_ value: some Encodable) throws -> RequestBody {
        RequestBody(contentType: "application/json; charset=UTF-8", body: try SnakeCaseJSON.body(value))
    }

    /// Form-encoded pairs, in the order given.
    public static func form(_ pairs: [(String, String)]) -> RequestBody {
        RequestBody(contentType: "application/x-www-form-urlencoded", body: HTTPBodies.form(pairs))
    }
}

/// The kit's JSON endpoint client: builds a request, sends it through the transport, checks the answer with the
/// platform's error-document mapping and decodes a success with snake_case keys.
///
/// Each adapter supplies two small functions: `check`, which turns an answer into the platform's error (or
/// `nil` for a success; it sees every answer, as some platforms send error documents with 200), and
/// `undecodable`, the error for a success whose body is not the expected document.
public struct JSONEndpoint: Sendable {
    /// The platform's error for an answer, or `nil` when the answer is a success.
    public typealias Check = @Sendable (_ answer: EndpointAnswer, _ operationID: String) -> (any Error)?
    /// The platform's error for a success body that does not decode.
    public typealias Undecodable = @Sendable (_ answer: EndpointAnswer, _ operationID: String) -> any Error

    /// The default base URL for relative paths.
    public var baseURL: URL
    /// Where requests go.
    public var transport: any HTTPTransport
    /// The error-document mapping.
    public var check: Check
    /// The mapping of undecodable successes.
    public var undecodable: Undecodable

    /// Creates a client.
    public init(baseURL: URL, transport: any HTTPTransport, check: @escaping Check, undecodable: @escaping Undecodable) {
        self.baseURL = baseURL
        self.transport = transport
        self.check = check
        self.undecodable = undecodable
    }

    /// Sends `method path?query` with `headers` and `body`, and returns the checked answer.
    /// - Throws: What `check` maps a failure to, or a ``TransportError``.
    public func send(
        _ method: HTTPRequest.Method, path: String, query: [(String, String)] = [], headers: HTTPFields = [:],
        body: RequestBody? = nil, baseURL: URL? = nil, operationID: String
    ) async throws -> EndpointAnswer {
        var fields = headers
        if let body { fields[.contentType] = body.contentType }
        let request = HTTPRequest(method: method, path: path, query: query, headerFields: fields)
        return try await send(request, body: body?.body, baseURL: baseURL, operationID: operationID)
    }

    /// Sends a prepared request and returns the checked answer.
    public func send(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL? = nil, operationID: String
    ) async throws -> EndpointAnswer {
        let (response, responseBody) = try await transport.send(
            request, body: body, baseURL: baseURL ?? self.baseURL, operationID: operationID)
        let answer = EndpointAnswer(
            status: response.status.code, headers: response.headerFields, bytes: try await HTTPBodies.collect(responseBody))
        if let error = check(answer, operationID) { throw error }
        return answer
    }

    /// Decodes a checked answer's snake_case body.
    /// - Throws: What `undecodable` maps the answer to.
    public func decode<T: Decodable>(_ answer: EndpointAnswer, as type: T.Type = T.self, operationID: String) throws -> T {
        do {
            return try SnakeCaseJSON.decode(type, from: answer.bytes)
        } catch {
            throw undecodable(answer, operationID)
        }
    }

    /// Sends a request and decodes its answer.
    public func call<T: Decodable>(
        _ method: HTTPRequest.Method, path: String, query: [(String, String)] = [], headers: HTTPFields = [:],
        body: RequestBody? = nil, baseURL: URL? = nil, as type: T.Type = T.self, operationID: String
    ) async throws -> T {
        let answer = try await send(
            method, path: path, query: query, headers: headers, body: body, baseURL: baseURL, operationID: operationID)
        return try decode(answer, as: type, operationID: operationID)
    }
}

extension HTTPFields {
    /// `Authorization: Bearer <token>`.
    public static func bearer(_ token: String) -> HTTPFields {
        var fields = HTTPFields()
        fields[.authorization] = "Bearer \(token)"
        return fields
    }
}
