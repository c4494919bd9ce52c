import Foundation
import GraphAPISupport
import HTTPTypes
import OpenAPIRuntime
import PublishingCore

/// Sends Graph API requests for one Instagram account through the shared ``GraphEndpoint``: versioned paths, the
/// token in an `Authorization: Bearer` header (never in the URL), JSON answers, Graph errors mapped to ``PublishError``.
struct InstagramGraphClient: Sendable {
    let configuration: InstagramConfiguration
    let transport: any HTTPTransport
    let tokens: InstagramTokens
    let mapper = GraphErrorMapper(platform: .instagram, reauthorize: "run `atom auth instagram`")

    /// A client with its own token source over `environment` (the store a refreshed token is saved to).
    init(configuration: InstagramConfiguration, environment: PublisherEnvironment) {
        self.configuration = configuration
        transport = environment.transport
        tokens = InstagramTokens(
            configuration: configuration, transport: environment.transport, credentials: environment.credentials,
            logger: environment.logger, now: environment.now)
    }

    private var graph: GraphEndpoint {
        GraphEndpoint(
            baseURL: configuration.baseURL, transport: transport,
            headers: { [tokens] in
                var headers = HTTPFields.bearer(try await tokens.token().value)
                headers[.accept] = "application/json"
                return headers
            },
            failure: GraphEndpoint.failure(mapper),
            malformed: { answer, operationID in
                InstagramProtocolError.malformedResponse(
                    operationID: operationID, detail: Redaction.outsideText(bytes: answer.bytes)
                ).publishError()
            })
    }

    /// `GET /{version}/{segments…}?query`.
    func get<T: Decodable>(_ segments: [String], query: [(String, String)] = [], operationID: String) async throws -> T
    {
        try await graph.get(path(segments), query: query, operationID: operationID)
    }

    /// `POST /{version}/{segments…}` with a form-encoded body.
    func post<T: Decodable>(_ segments: [String], form: [(String, String)], operationID: String) async throws -> T {
        try await graph.post(path(segments), form: form, operationID: operationID)
    }

    /// Decodes a Graph answer, or throws the mapped error.
    func decode<T: Decodable>(_ response: HTTPResponse, bytes: [UInt8], operationID: String) throws -> T {
        try graph.decode(
            EndpointAnswer(status: response.status.code, headers: response.headerFields, bytes: bytes),
            operationID: operationID)
    }

    private func path(_ segments: [String]) -> String {
        "/" + ([configuration.apiVersion] + segments.map(FormEncoding.escape)).joined(separator: "/")
    }
}
