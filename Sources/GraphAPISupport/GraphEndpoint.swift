import Foundation
import HTTPTypes
import PublishingCore

/// The Graph API client Instagram and Facebook share: the kit's ``JSONEndpoint`` with Graph's error document
/// (on any status: Graph sometimes answers 200 with one), the token in a header, `appsecret_proof` when set.
package struct GraphEndpoint: Sendable {
    /// The error for a failed answer (the platform's ``GraphErrorMapper`` plus its own special cases).
    package typealias Failure = @Sendable (_ answer: EndpointAnswer, _ operationID: String) -> any Error

    /// The JSON client (base URL: the Graph host).
    package let endpoint: JSONEndpoint
    /// The header fields of every request (`Authorization`, `Accept`), fetched per request (tokens refresh).
    package let headers: @Sendable () async throws -> HTTPFields
    /// Query items every request carries (`appsecret_proof`).
    package let commonQuery: [(String, String)]

    /// Creates a client.
    /// - Parameters:
    ///   - failure: Maps a failed answer to the platform's error.
    ///   - malformed: The error for a success that is not the expected document.
    package init(
        baseURL: URL, transport: any HTTPTransport, commonQuery: [(String, String)] = [],
        headers: @escaping @Sendable () async throws -> HTTPFields,
        failure: @escaping Failure, malformed: @escaping JSONEndpoint.Undecodable
    ) {
        endpoint = JSONEndpoint(
            baseURL: baseURL, transport: transport,
            check: { answer, operationID in
                answer.isSuccess && GraphAPIError.parse(answer.bytes) == nil ? nil : failure(answer, operationID)
            }, undecodable: malformed)
        self.headers = headers
        self.commonQuery = commonQuery
    }

    /// The standard mapping of a failed answer.
    package static func failure(_ mapper: GraphErrorMapper) -> Failure {
        { answer, operationID in
            mapper.map(status: answer.status, body: answer.bytes, headers: answer.headers, operationID: operationID)
        }
    }

    /// `GET path?query` of a node or edge.
    package func get<T: Decodable>(
        _ path: String, query: [(String, String)] = [], as type: T.Type = T.self, operationID: String
    ) async throws -> T {
        try await endpoint.call(
            .get, path: path, query: query + commonQuery, headers: try await headers(), as: type, operationID: operationID)
    }

    /// `POST path` with a form-encoded body.
    package func post<T: Decodable>(
        _ path: String, form: [(String, String)], as type: T.Type = T.self, operationID: String
    ) async throws -> T {
        try await post(path, body: .form(form), as: type, operationID: operationID)
    }

    /// `POST path` with any body (a streamed multipart form).
    package func post<T: Decodable>(
        _ path: String, body: RequestBody, as type: T.Type = T.self, operationID: String
    ) async throws -> T {
        try await endpoint.call(
            .post, path: path, query: commonQuery, headers: try await headers(), body: body, as: type,
            operationID: operationID)
    }

    /// Decodes an answer received another way (checked the same way).
    package func decode<T: Decodable>(_ answer: EndpointAnswer, operationID: String) throws -> T {
        if let error = endpoint.check(answer, operationID) { throw error }
        return try endpoint.decode(answer, operationID: operationID)
    }
}
